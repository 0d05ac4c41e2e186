package io.seatwatch.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which IP addresses a webhook may be delivered to: public unicast addresses only, unless an address falls
 * in one of the operator's {@code seatwatch.webhooks.allowed-cidrs}. It keeps Seatwatch from being used to
 * reach its own network (SSRF): loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT,
 * "this network", multicast, broadcast and reserved IPv4 ranges; the IPv6 loopback, unspecified,
 * unique-local, link-local, site-local and multicast ranges; and IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}, Teredo
 * {@code 2001::/32}), which are judged by the IPv4 address they lead to.
 *
 * <p>Plain Java without Spring types: the api checks the addresses a webhook host resolves to when a
 * subscription is written, and notifier-webhook must check them again when it connects (DNS may change).
 */
public final class WebhookAddressPolicy {

    private static final List<Range> BLOCKED = List.of(
            Range.of("0.0.0.0/8", "a 'this network' address (0.0.0.0/8)"),
            Range.of("10.0.0.0/8", "a private address (10.0.0.0/8)"),
            Range.of("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"),
            Range.of("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
            Range.of("169.254.0.0/16", "a link-local or cloud metadata address (169.254.0.0/16)"),
            Range.of("172.16.0.0/12", "a private address (172.16.0.0/12)"),
            Range.of("192.0.0.0/24", "an IETF protocol assignment address (192.0.0.0/24)"),
            Range.of("192.168.0.0/16", "a private address (192.168.0.0/16)"),
            Range.of("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
            Range.of("224.0.0.0/4", "a multicast address (224.0.0.0/4)"),
            Range.of("255.255.255.255/32", "the broadcast address"),
            Range.of("240.0.0.0/4", "a reserved address (240.0.0.0/4)"),
            Range.of("::/128", "the unspecified IPv6 address"),
            Range.of("::1/128", "the IPv6 loopback address"),
            Range.of("::/96", "an IPv4-compatible IPv6 address (deprecated, ::/96)"),
            Range.of("64:ff9b:1::/48", "a local-use NAT64 address (64:ff9b:1::/48)"),
            Range.of("fc00::/7", "an IPv6 unique-local address (fc00::/7)"),
            Range.of("fe80::/10", "an IPv6 link-local address (fe80::/10)"),
            Range.of("fec0::/10", "an IPv6 site-local address (fec0::/10)"),
            Range.of("ff00::/8", "an IPv6 multicast address (ff00::/8)"));

    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
    private static final Cidr TEREDO = Cidr.parse("2001::/32");

    private final List<Cidr> allowed;

    public WebhookAddressPolicy(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * A policy with exceptions from a comma-separated list of CIDRs ({@code "10.20.0.0/16, fd00:1::/64"};
     * a bare address is a single host; blank means none).
     *
     * @throws IllegalArgumentException naming the first entry that is not a CIDR
     */
    public static WebhookAddressPolicy withAllowedCidrs(String commaSeparated) {
        List<Cidr> cidrs = new ArrayList<>();
        if (commaSeparated != null) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    cidrs.add(Cidr.parse(part.strip()));
                }
            }
        }
        return new WebhookAddressPolicy(cidrs);
    }

    /**
     * The policy for the {@code seatwatch.webhooks.allowed-cidrs} setting, for an app's startup.
     *
     * @throws IllegalStateException naming the setting and the first entry that is not a CIDR
     */
    public static WebhookAddressPolicy fromSetting(String allowedCidrs) {
        try {
            return withAllowedCidrs(allowedCidrs);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("seatwatch.webhooks.allowed-cidrs: " + e.getMessage());
        }
    }

    public List<Cidr> allowedCidrs() {
        return allowed;
    }

    public boolean allows(InetAddress address) {
        return refusal(address).isEmpty();
    }

    /** Why a webhook may not be delivered to this address ("... is a loopback address ..."), if it may not. */
    public Optional<String> refusal(InetAddress address) {
        return refusal(address.getAddress());
    }

    private Optional<String> refusal(byte[] raw) {
        byte[] address = unmapped(raw);
        if (allowed.stream().anyMatch(c -> c.contains(address))) {
            return Optional.empty();
        }
        byte[] embedded = embeddedIpv4(address);
        if (embedded != null) {
            return refusal(embedded).map(reason -> reason + ", reached through "
                    + (NAT64.contains(address) ? "NAT64" : SIX_TO_FOUR.contains(address) ? "6to4" : "Teredo"));
        }
        return BLOCKED.stream().filter(r -> r.cidr().contains(address)).findFirst().map(Range::reason);
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is that IPv4 address. */
    private static byte[] unmapped(byte[] address) {
        if (address.length == 16) {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return address;
                }
            }
            if ((address[10] & 0xff) == 0xff && (address[11] & 0xff) == 0xff) {
                return Arrays.copyOfRange(address, 12, 16);
            }
        }
        return address;
    }

    /** The IPv4 address a NAT64, 6to4 or Teredo address leads to; null for other addresses. */
    private static byte[] embeddedIpv4(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        if (NAT64.contains(address)) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        if (SIX_TO_FOUR.contains(address)) {
            return Arrays.copyOfRange(address, 2, 6);
        }
        if (TEREDO.contains(address)) {
            // RFC 4380: the client's public IPv4 address is the last 32 bits, each bit inverted.
            byte[] client = Arrays.copyOfRange(address, 12, 16);
            for (int i = 0; i < 4; i++) {
                client[i] = (byte) ~client[i];
            }
            return client;
        }
        return null;
    }

    private record Range(Cidr cidr, String reason) {
        static Range of(String cidr, String reason) {
            return new Range(Cidr.parse(cidr), reason);
        }
    }

    /** An IPv4 or IPv6 network: the address with its host bits zero, and the prefix length. */
    public record Cidr(byte[] network, int prefixLength) {

        private static final Pattern IPV4 = Pattern.compile(
                "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
        private static final Pattern IPV6 = Pattern.compile("(?=.*:)[0-9A-Fa-f:][0-9A-Fa-f:.]*");

        public Cidr {
            network = network.clone();
        }

        @Override
        public byte[] network() {
            return network.clone();
        }

        /**
         * Parses {@code address/prefix} or a bare address (one host); never performs a DNS lookup.
         *
         * @throws IllegalArgumentException for anything else, or when bits beyond the prefix are set
         */
        public static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            byte[] address = literal(host);
            if (address == null) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 CIDR");
            }
            // An IPv4-mapped form (::ffff:a.b.c.d/p, p >= 96) is the IPv4 network a.b.c.d/(p - 96).
            boolean mapped = host.contains(":") && unmapped(address).length == 4;
            address = unmapped(address);
            int bits = mapped ? 128 : address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String p = text.substring(slash + 1);
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits || (mapped && Integer.parseInt(p) < 96)) {
                    throw new IllegalArgumentException("'" + text + "': the prefix length must be "
                            + (mapped ? 96 : 0) + " to " + bits);
                }
                prefix = Integer.parseInt(p);
            }
            if (mapped) {
                prefix -= 96;
                bits = 32;
            }
            for (int bit = prefix; bit < bits; bit++) {
                if ((address[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                    throw new IllegalArgumentException("'" + text + "' has bits set beyond its /" + prefix + " prefix");
                }
            }
            return new Cidr(address, prefix);
        }

        /** The bytes of an IP literal, or null when the text is not one (no DNS lookup either way). */
        private static byte[] literal(String host) {
            if (!IPV4.matcher(host).matches() && !IPV6.matcher(host).matches()) {
                return null;
            }
            try {
                // A string of digits and dots, or containing a colon, is parsed as a literal, never looked up.
                return InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }

        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + prefixLength;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
