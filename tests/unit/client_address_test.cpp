// Which address is the client's behind load balancers ([server] trusted_proxies): only a trusted peer's
// X-Forwarded-For is read, right to left, skipping the trusted proxies in it; junk stops the walk.
#include <gtest/gtest.h>

#include "http/pipeline.h"

using tribune::client_address;

TEST(ClientAddress, OnlyTrustedProxiesAreBelieved) {
  std::vector<std::string> trusted = {"10.0.0.1", "10.0.0.2"};
  EXPECT_EQ(client_address("203.0.113.9", "1.2.3.4", trusted), "203.0.113.9") << "an untrusted peer is the client";
  EXPECT_EQ(client_address("10.0.0.1", "", trusted), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.1", "198.51.100.7", trusted), "198.51.100.7");
  EXPECT_EQ(client_address("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", trusted), "198.51.100.7")
      << "a spoofed left-most entry is ignored; trusted hops are skipped";
  EXPECT_EQ(client_address("10.0.0.1", "2001:db8::1", trusted), "2001:db8::1");
  EXPECT_EQ(client_address("10.0.0.1", "<script>, 10.0.0.2", trusted), "10.0.0.2") << "junk stops the walk";
  EXPECT_EQ(client_address("10.0.0.1", "10.0.0.2", trusted), "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.1", "1.2.3.4", {}), "10.0.0.1") << "no trusted proxies: the peer";
}
