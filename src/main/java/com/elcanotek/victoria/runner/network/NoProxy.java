package com.elcanotek.victoria.runner.network;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@code NO_PROXY} list as curl reads it: comma- (or blank-) separated entries, each {@code *} (every host), a host
 * name that also covers its subdomains ({@code example.com} and {@code .example.com} both match
 * {@code api.example.com}; a leading {@code *.} is read as a dot), an IP address, or a CIDR range
 * ({@code 10.0.0.0/8}, {@code fd00::/8}); any of them may end in {@code :port} (IPv6 in brackets), and then covers that
 * port only. Names are never resolved: an IP entry matches a URL that names that IP.
 */
public record NoProxy(String raw, List<Entry> entries) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** One entry; {@code port} -1 for any port. */
    public record Entry(String host, InetAddress address, int prefix, int port) {

        boolean matches(String targetHost, Optional<InetAddress> targetAddress, int targetPort) {
            if (port >= 0 && port != targetPort) {
                return false;
            }
            if ("*".equals(host)) {
                return true;
            }
            if (address != null) {
                return targetAddress.filter(target -> inRange(target, address, prefix)).isPresent();
            }
            return targetHost.equals(host) || targetHost.endsWith("." + host);
        }
    }

    public static final NoProxy NONE = new NoProxy("", List.of());

    public NoProxy {
        entries = List.copyOf(entries);
    }

    /** @throws IllegalArgumentException naming {@code source} and the entry that is not one */
    public static NoProxy parse(String text, String source) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<Entry> entries = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isEmpty()) {
                entries.add(entry(part.toLowerCase(Locale.ROOT), source));
            }
        }
        return new NoProxy(text.strip(), entries);
    }

    /** Whether a request to {@code host} on {@code port} goes direct. */
    public boolean covers(String host, int port) {
        String target = normalise(host);
        Optional<InetAddress> address = literal(target);
        return entries.stream().anyMatch(entry -> entry.matches(target, address, port));
    }

    private static Entry entry(String text, String source) {
        String value = text;
        int port = -1;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(source + ": '" + text + "' is not a host, an address or a range");
            }
            String rest = value.substring(close + 1);
            value = value.substring(1, close) + (rest.startsWith("/") ? rest : "");
            if (rest.startsWith(":")) {
                port = port(rest.substring(1), text, source);
            }
        } else if (value.indexOf(':') == value.lastIndexOf(':') && value.contains(":")) {
            // one colon: host:port (an IPv6 address has several)
            port = port(value.substring(value.indexOf(':') + 1), text, source);
            value = value.substring(0, value.indexOf(':'));
        }
        if (value.equals("*")) {
            return new Entry("*", null, 0, port);
        }
        int slash = value.indexOf('/');
        String addressPart = slash < 0 ? value : value.substring(0, slash);
        Optional<InetAddress> address = literal(addressPart);
        if (address.isPresent()) {
            int bits = address.get().getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(value.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException(source + ": '" + text + "' is not a CIDR range such as 10.0.0.0/8");
                }
            }
            return new Entry(null, address.get(), prefix, port);
        }
        if (slash >= 0) {
            throw new IllegalArgumentException(source + ": '" + text + "' is not a CIDR range such as 10.0.0.0/8");
        }
        String name = normalise(value.startsWith("*.") ? value.substring(1) : value);
        while (name.startsWith(".")) {
            name = name.substring(1);
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException(source + ": '" + text + "' is not a host, an address or a range");
        }
        return new Entry(name, null, 0, port);
    }

    private static int port(String text, String entry, String source) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(source + ": '" + entry + "' has no valid port");
    }

    private static String normalise(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** The address an IP literal names, without any lookup; empty for a host name. */
    static Optional<InetAddress> literal(String text) {
        boolean ipv4 = IPV4.matcher(text).matches();
        if (!ipv4 && !text.contains(":")
                || ipv4 && java.util.Arrays.stream(text.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
            // never a lookup: a dotted quad out of range would be sent to DNS as a name
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static boolean inRange(InetAddress target, InetAddress network, int prefix) {
        byte[] a = target.getAddress();
        byte[] b = network.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int bits = a.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
    }
}
