package dev.runwire.model.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Where Runwire may send requests on a user's behalf (integration base URLs, callbacks): never to loopback, private,
 * link-local (cloud metadata included), carrier-grade NAT, multicast, documentation, benchmarking or otherwise reserved
 * addresses, however they are written (decimal, octal, hex, or an IPv6 form that embeds an IPv4 address:
 * IPv4-compatible, IPv4-mapped, IPv4-translated, 6to4, ISATAP, Teredo, NAT64), unless an address is in the configured
 * allow-list. A literal with a zone ({@code [fe80::1%25lo]}) is refused: a zone picks a network interface of the host
 * Runwire runs on. Callers check the URL when it is written and every address the host resolves to right before they
 * connect, and then connect to that checked address, so a DNS answer that changes in between cannot redirect them. See
 * docs/adr/0015-egress-guard.md.
 */
public final class EgressPolicy {

    public static final int MAX_URL_LENGTH = 2048;

    /** Ranges no user-supplied URL may reach. */
    private static final List<Cidr> BLOCKED = List.of(Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"),
            Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"), Cidr.parse("169.254.0.0/16"),
            Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"), Cidr.parse("192.0.2.0/24"),
            Cidr.parse("192.88.99.0/24"), Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"),
            Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"), Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"), Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("100::/64"),
            Cidr.parse("2001:2::/48"), Cidr.parse("2001:db8::/32"), Cidr.parse("3fff::/20"),
            // NAT64 local-use: not globally reachable (RFC 8215) and where the IPv4 address sits depends on the prefix
            // length a network chose, so the whole range is refused rather than guessed at
            Cidr.parse("64:ff9b:1::/48"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"), Cidr.parse("fec0::/10"),
            Cidr.parse("ff00::/8"));

    private final List<Cidr> allowed;
    private final boolean requireHttps;

    /**
     * @param allowed
     *            CIDRs that may be reached although they are blocked (e.g. {@code 127.0.0.1/32} for local tests)
     * @param requireHttps
     *            whether plain {@code http} URLs are refused
     */
    public EgressPolicy(List<String> allowed, boolean requireHttps) {
        this.allowed = allowed.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Cidr::parse).toList();
        this.requireHttps = requireHttps;
    }

    /** A URL Runwire may not call, with the reason in words. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * Checks a URL as written: scheme, length, and the host if it is an address literal in any notation (host names are
     * checked when they are resolved).
     *
     * @return the parsed URL
     */
    public URI checkUrl(String url) throws RefusedException {
        if (url == null || url.isBlank() || url.length() > MAX_URL_LENGTH) {
            throw new RefusedException("a URL of 1 to " + MAX_URL_LENGTH + " characters is required");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new RefusedException("the URL is not valid");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) {
            throw new RefusedException(requireHttps ? "the URL must use https" : "the URL must use http or https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new RefusedException("the URL needs a host and no user information");
        }
        String host = uri.getHost();
        InetAddress literal = literal(host);
        if (host.indexOf('%') >= 0) {
            throw new RefusedException("the URL may not name a network interface (an IPv6 zone)");
        }
        if (literal == null && (host.startsWith("[") || host.indexOf(':') >= 0)) {
            throw new RefusedException("the URL's host is not a valid IPv6 address");
        }
        if (literal != null) {
            checkAddress(literal);
        }
        return uri;
    }

    /** Refuses an address Runwire may not connect to. */
    public void checkAddress(InetAddress address) throws RefusedException {
        if (!permits(address)) {
            throw new RefusedException("the address " + address.getHostAddress() + " is not reachable from Runwire");
        }
    }

    /** The first address of a host's that may be connected to; all of them must be allowed. */
    public InetAddress choose(InetAddress[] resolved) throws RefusedException {
        if (resolved.length == 0) {
            throw new RefusedException("the host has no address");
        }
        for (InetAddress address : resolved) {
            checkAddress(address);
        }
        return resolved[0];
    }

    /**
     * Checks a URL and resolves its host to the one address a connection may use (blocking: call it off the event
     * loop). Connecting to exactly this address, not to the name, is what closes the DNS-rebinding gap.
     */
    public InetAddress resolve(URI url) throws RefusedException, UnknownHostException {
        checkUrl(url.toString());
        InetAddress literal = literal(url.getHost());
        return literal != null ? literal : choose(InetAddress.getAllByName(url.getHost()));
    }

    /**
     * {@link #resolve(URI)} without blocking the caller: a host name is looked up on {@code lookups}, an address
     * literal at once. Fails with {@link RefusedException} or {@link UnknownHostException}.
     */
    public CompletableFuture<InetAddress> resolveAsync(URI url, Executor lookups) {
        if (url.getHost() != null && literal(url.getHost()) != null) {
            try {
                return CompletableFuture.completedFuture(resolve(url));
            } catch (RefusedException | UnknownHostException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return resolve(url);
            } catch (RefusedException | UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, lookups);
    }

    boolean permits(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (allowed.stream().anyMatch(c -> c.contains(bytes))) {
            return true;
        }
        if (BLOCKED.stream().anyMatch(c -> c.contains(bytes))) {
            return false;
        }
        // an address that carries an IPv4 address reaches it (through a translator or tunnel): judge what it carries
        for (byte[] embedded : embeddedIpv4(bytes)) {
            if (allowed.stream().noneMatch(c -> c.contains(embedded))
                    && BLOCKED.stream().anyMatch(c -> c.contains(embedded))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The IPv4 addresses an IPv6 address embeds: IPv4-compatible ({@code ::a.b.c.d}), IPv4-mapped
     * ({@code ::ffff:a.b.c.d}), IPv4-translated ({@code ::ffff:0:a.b.c.d}), NAT64 well-known prefix
     * ({@code 64:ff9b::a.b.c.d}), 6to4 ({@code 2002:AABB:CCDD::/48}), ISATAP (interface id {@code 0:5efe:a.b.c.d} or
     * {@code 200:5efe:a.b.c.d}) and Teredo ({@code 2001:0:SERVER::}, the client's address inverted in the last 32 bits:
     * both are returned).
     */
    static List<byte[]> embeddedIpv4(byte[] b) {
        List<byte[]> found = new ArrayList<>(2);
        if (b.length != 16) {
            return found;
        }
        byte[] last = { b[12], b[13], b[14], b[15] };
        boolean compatible = zero(b, 0, 12);
        boolean mapped = zero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean translated = zero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && zero(b, 10, 12);
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zero(b, 4, 12);
        // ISATAP: the u/l and group bits of the interface id may be set (RFC 5214); the prefix can be anything
        boolean isatap = (b[8] & 0xfc) == 0 && b[9] == 0 && b[10] == 0x5e && (b[11] & 0xff) == 0xfe;
        if (compatible || mapped || translated || nat64 || isatap) {
            found.add(last);
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            found.add(new byte[] { b[2], b[3], b[4], b[5] });
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
            found.add(new byte[] { b[4], b[5], b[6], b[7] });
            found.add(new byte[] { (byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15] });
        }
        return found;
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The address a host written as a literal stands for, in any notation resolvers accept: dotted with 1 to 4 parts,
     * each decimal, octal ({@code 0177}) or hex ({@code 0x7f}), or IPv6, bracketed or not, its zone left out. Null for
     * a host name.
     */
    public static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            if (h.contains(":")) {
                // the zone ("%25lo" in a URL, "%lo" elsewhere) names an interface, not a part of the address
                int zone = h.indexOf('%');
                h = zone >= 0 ? h.substring(0, zone) : h;
                return InetAddress.getByAddress(Inet6Address.getByName(h).getAddress());
            }
            String[] parts = h.split("\\.", -1);
            if (parts.length > 4) {
                return null;
            }
            long[] values = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = number(parts[i]);
                if (values[i] < 0) {
                    return null;
                }
            }
            long value = 0;
            for (int i = 0; i < parts.length - 1; i++) {
                if (values[i] > 255) {
                    return null;
                }
                value = (value << 8) | values[i];
            }
            int last = 8 * (4 - parts.length + 1);
            if (values[parts.length - 1] >= (1L << last)) {
                return null;
            }
            value = (value << last) | values[parts.length - 1];
            return Inet4Address.getByAddress(
                    new byte[] { (byte) (value >> 24), (byte) (value >> 16), (byte) (value >> 8), (byte) value });
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private static long number(String part) {
        try {
            if (part.isEmpty()) {
                return -1;
            }
            if (part.startsWith("0x") || part.startsWith("0X")) {
                return part.length() == 2 ? -1 : Long.parseLong(part.substring(2), 16);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return Long.parseLong(part.substring(1), 8);
            }
            return Long.parseLong(part);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An address range. */
    private record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            String[] parts = text.split("/");
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("not an address range: " + text);
            }
            byte[] network = address.getAddress();
            int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
            return new Cidr(network, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

}
