// Passwords of 8+ characters that attackers try first, lower-case and sorted: the data file
// src/domain/data/common-passwords.txt (made by tools/gen_common_passwords.py), compiled into the binary.
#pragma once

#include <string_view>
#include <vector>

namespace tribune {

const std::vector<std::string_view>& common_passwords();

}  // namespace tribune
