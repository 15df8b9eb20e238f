// Which addresses webhook deliveries may reach when they must be public (util/curl_client.h): the inside of
// the network, in every spelling, is not.
#include <gtest/gtest.h>

#include "util/curl_client.h"

using tribune::curl_client::is_public_address;

TEST(PublicAddress, InsideAddressesInEverySpellingAreNotPublic) {
  for (const char* inside : {"127.0.0.1",
                             "10.1.2.3",
                             "172.16.0.1",
                             "172.31.255.255",
                             "192.168.1.1",
                             "169.254.169.254",
                             "100.64.0.1",
                             "0.0.0.0",
                             "224.0.0.1",
                             "255.255.255.255",
                             "198.18.0.1",
                             "192.0.0.8",
                             "::",
                             "::1",
                             "::ffff:127.0.0.1",
                             "::ffff:10.0.0.1",
                             "::10.0.0.1",
                             "64:ff9b::a00:1",
                             "64:ff9b:1::1",
                             "2002:a00:1::1",
                             "fc00::1",
                             "fd12::1",
                             "fe80::1",
                             "fec0::1",
                             "ff02::1",
                             "localhost",
                             "not an address",
                             ""})
    EXPECT_FALSE(is_public_address(inside)) << inside;
}

TEST(PublicAddress, PublicAddressesArePublic) {
  for (const char* outside : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111",
                              "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    EXPECT_TRUE(is_public_address(outside)) << outside;
}
