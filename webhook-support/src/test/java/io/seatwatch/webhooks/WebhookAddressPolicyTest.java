package io.seatwatch.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF rules, address by address, with no DNS: every input is an IP literal. */
class WebhookAddressPolicyTest {

    private final WebhookAddressPolicy strict = WebhookAddressPolicy.withAllowedCidrs("");

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource(delimiter = '|', value = {
            "0.0.0.0            | this network",
            "0.255.255.255      | this network",
            "10.0.0.0           | private address (10.0.0.0/8)",
            "10.255.255.255     | private address (10.0.0.0/8)",
            "100.64.0.0         | carrier-grade NAT",
            "100.127.255.255    | carrier-grade NAT",
            "127.0.0.1          | loopback",
            "127.255.255.254    | loopback",
            "169.254.0.1        | link-local",
            "169.254.169.254    | cloud metadata",
            "172.16.0.0         | private address (172.16.0.0/12)",
            "172.31.255.255     | private address (172.16.0.0/12)",
            "192.0.0.170        | IETF protocol assignment",
            "192.168.0.1        | private address (192.168.0.0/16)",
            "192.168.255.255    | private address (192.168.0.0/16)",
            "198.18.0.1         | benchmarking",
            "224.0.0.1          | multicast",
            "239.255.255.250    | multicast",
            "240.0.0.1          | reserved",
            "255.255.255.255    | broadcast",
            "::                 | unspecified",
            "::1                | IPv6 loopback",
            "::7f00:1           | IPv4-compatible",
            "fc00::1            | unique-local",
            "fd12:3456:789a::1  | unique-local",
            "fe80::1            | IPv6 link-local",
            "febf:ffff::1       | IPv6 link-local",
            "fec0::1            | site-local",
            "ff02::1            | IPv6 multicast",
            "64:ff9b:1::1       | local-use NAT64",
            // IPv4 addresses reached through IPv6 transition forms: judged by the IPv4 address.
            "64:ff9b::7f00:1    | loopback address (127.0.0.0/8), reached through NAT64",
            "64:ff9b::a9fe:a9fe | cloud metadata address (169.254.0.0/16), reached through NAT64",
            "2002:a00:1::1      | private address (10.0.0.0/8), reached through 6to4",
            "2002:c0a8:101::    | private address (192.168.0.0/16), reached through 6to4",
            "2001:0:4136:e378:8000:63bf:80ff:fffe | loopback address (127.0.0.0/8), reached through Teredo"})
    void refusesNonPublicAddresses(String literal, String reason) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(literal.strip());
        assertThat(strict.allows(address)).isFalse();
        assertThat(strict.refusal(address)).get().asString().contains(reason.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
            "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
            "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255", "203.0.113.7",
            "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "fbff:ffff::1", "fe00::1", "64:ff9b::808:808",
            "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"})
    void allowsPublicUnicastAddresses(String literal) throws UnknownHostException {
        InetAddress address = InetAddress.getByName(literal);
        assertThat(strict.refusal(address)).isEmpty();
        assertThat(strict.allows(address)).isTrue();
    }

    @ParameterizedTest(name = "::ffff:{0} is refused like {0}")
    @ValueSource(strings = {"127.0.0.1", "10.1.2.3", "169.254.169.254", "172.16.5.4", "192.168.1.1", "100.64.1.1",
            "0.0.0.0", "224.0.0.1", "255.255.255.255"})
    void ipv4MappedIpv6IsJudgedAsIpv4(String ipv4) throws UnknownHostException {
        // Java turns the literal ::ffff:a.b.c.d into an Inet4Address; a resolver may hand over the raw
        // 16-byte form, which is built here explicitly.
        Inet6Address mapped = Inet6Address.getByAddress(null, mapped(ipv4), -1);
        assertThat(mapped.getAddress()).hasSize(16);
        assertThat(strict.allows(mapped)).isFalse();
        assertThat(strict.refusal(mapped)).isEqualTo(strict.refusal(InetAddress.getByName(ipv4)));
        assertThat(strict.allows(InetAddress.getByName("::ffff:" + ipv4))).isFalse();

        assertThat(strict.allows(Inet6Address.getByAddress(null, mapped("8.8.4.4"), -1))).isTrue();
    }

    @Test
    void allowedCidrsAreExceptionsForExactlyTheirRanges() throws UnknownHostException {
        WebhookAddressPolicy policy = WebhookAddressPolicy.withAllowedCidrs(" 10.20.0.0/16 , fd00:1::/32,127.0.0.1,169.254.169.254/32 ");

        assertThat(policy.allows(InetAddress.getByName("10.20.0.1"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("10.20.255.255"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("10.21.0.1"))).isFalse();
        assertThat(policy.allows(InetAddress.getByName("10.19.255.255"))).isFalse();
        assertThat(policy.allows(Inet6Address.getByAddress(null, mapped("10.20.3.4"), -1))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("64:ff9b::a14:304"))).as("NAT64 to 10.20.3.4").isTrue();

        assertThat(policy.allows(InetAddress.getByName("fd00:1::5"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("fd00:2::5"))).isFalse();

        assertThat(policy.allows(InetAddress.getByName("127.0.0.1"))).as("a bare address is one host").isTrue();
        assertThat(policy.allows(InetAddress.getByName("127.0.0.2"))).isFalse();
        assertThat(policy.allows(InetAddress.getByName("169.254.169.254"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("192.168.1.1"))).isFalse();
        assertThat(policy.allows(InetAddress.getByName("::1"))).isFalse();

        assertThat(policy.allowedCidrs()).extracting(Object::toString)
                .containsExactly("10.20.0.0/16", "fd00:1:0:0:0:0:0:0/32", "127.0.0.1/32", "169.254.169.254/32");
    }

    @Test
    void anIpv4CidrAlsoCoversTheMappedFormAndAnAllowAllCidrAllowsEverything() throws UnknownHostException {
        WebhookAddressPolicy policy = WebhookAddressPolicy.withAllowedCidrs("::ffff:192.168.0.0/112,0.0.0.0/0");
        assertThat(policy.allowedCidrs()).extracting(Object::toString).containsExactly("192.168.0.0/16", "0.0.0.0/0");
        assertThat(policy.allows(InetAddress.getByName("192.168.7.7"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("::1"))).as("0.0.0.0/0 is IPv4 only").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.1/8", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1", "010.0.0.0/8",
            "example.com/24", "localhost", "::1/129", "fd00::1/8", "g::1/64", ".:/8", "10.0.0.0/8/8", "256.0.0.0/8"})
    void invalidCidrsAreRefusedWithoutADnsLookup(String cidr) {
        assertThatThrownBy(() -> WebhookAddressPolicy.withAllowedCidrs("10.1.0.0/16," + cidr))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(cidr);
    }

    @Test
    void blankAllowListsMeanNoExceptions() throws UnknownHostException {
        assertThat(WebhookAddressPolicy.withAllowedCidrs(null).allowedCidrs()).isEmpty();
        assertThat(WebhookAddressPolicy.withAllowedCidrs(" , ").allowedCidrs()).isEmpty();
        assertThat(WebhookAddressPolicy.withAllowedCidrs("").allows(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThat(InetAddress.getByName("::ffff:10.0.0.1")).isInstanceOf(Inet4Address.class);
    }

    @Test
    void fromSettingNamesTheSettingOfABadCidr() {
        assertThat(WebhookAddressPolicy.fromSetting("10.0.0.0/8").allowedCidrs()).hasSize(1);
        assertThatThrownBy(() -> WebhookAddressPolicy.fromSetting("intranet.local/24")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("seatwatch.webhooks.allowed-cidrs: ").hasMessageContaining("intranet.local/24");
    }

    private static byte[] mapped(String ipv4) throws UnknownHostException {
        byte[] v4 = InetAddress.getByName(ipv4).getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        return v6;
    }
}
