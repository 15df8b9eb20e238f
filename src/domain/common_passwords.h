// Passwords of 8+ characters that attackers try first, lower-case and sorted (tools/gen_common_passwords.py).
#pragma once

#include <string>
#include <vector>

namespace tribune {

const std::vector<std::string>& common_passwords();

}  // namespace tribune
