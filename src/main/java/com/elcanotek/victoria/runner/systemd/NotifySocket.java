package com.elcanotek.victoria.runner.systemd;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The service manager's notification socket ({@code $NOTIFY_SOCKET}): an AF_UNIX datagram socket, which the JDK
 * cannot open (it has AF_UNIX streams only), so junixsocket does it. Each message is one datagram of
 * newline-separated {@code KEY=VALUE} assignments, as sd_notify(3) sends them.
 */
final class NotifySocket {

    private final AFUNIXSocketAddress address;

    private NotifySocket(AFUNIXSocketAddress address) {
        this.address = address;
    }

    /**
     * @param value {@code $NOTIFY_SOCKET}: a path, or {@code @name} in the abstract namespace
     * @return empty when unset or blank: not started by systemd as a notify service
     * @throws IllegalArgumentException when it names no AF_UNIX address
     */
    static Optional<NotifySocket> of(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            if (value.startsWith("@")) {
                byte[] name = value.substring(1).getBytes(StandardCharsets.UTF_8);
                byte[] abstractName = new byte[name.length + 1]; // a leading NUL byte marks the abstract namespace
                System.arraycopy(name, 0, abstractName, 1, name.length);
                return Optional.of(new NotifySocket(AFUNIXSocketAddress.of(abstractName)));
            }
            if (!value.startsWith("/")) {
                throw new IllegalArgumentException("NOTIFY_SOCKET '" + value + "' is neither a path nor @name");
            }
            return Optional.of(new NotifySocket(AFUNIXSocketAddress.of(Path.of(value))));
        } catch (SocketException e) {
            throw new IllegalArgumentException("NOTIFY_SOCKET '" + value + "' is no AF_UNIX address: " + e.getMessage(), e);
        }
    }

    /** Sends one message; systemd reads it at once or never (a datagram is not queued for a stopped manager). */
    void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try (AFUNIXDatagramSocket socket = AFUNIXDatagramSocket.newInstance()) {
            // connected, as a packet cannot carry an AF_UNIX address (DatagramPacket calls it unresolved)
            socket.connect(address);
            socket.send(new DatagramPacket(bytes, bytes.length));
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
