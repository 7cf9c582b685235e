package com.elcanotek.victoria.runner.fake;

import java.io.IOException;
import java.io.OutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

/** Sends a file like the server: octet-stream, X-Checksum-SHA256, single byte ranges. */
final class FileDownload {

    /** {@code bytes=FROM-} or {@code bytes=FROM-TO}; other forms are ignored and the whole file is sent. */
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,9})-(\\d{0,9})");

    private FileDownload() {
    }

    static void send(HttpExchange exchange, StoredFile file) throws IOException, InterruptedException {
        byte[] body = file.served();
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/octet-stream");
        headers.set("X-Checksum-SHA256", file.sha256());
        headers.set("Accept-Ranges", "bytes");
        int from = 0;
        int to = body.length;
        int status = 200;
        String range = exchange.getRequestHeaders().getFirst("Range");
        file.ranges().add(range == null ? "" : range);
        Matcher matcher = range == null ? null : RANGE.matcher(range.trim());
        if (matcher != null && matcher.matches()) {
            from = Integer.parseInt(matcher.group(1));
            if (!matcher.group(2).isEmpty()) {
                to = Math.min(to, Integer.parseInt(matcher.group(2)) + 1);
            }
            if (from >= to) {
                headers.set("Content-Range", "bytes */" + body.length);
                throw new ApiError(416, "Range Not Satisfiable");
            }
            status = 206;
            headers.set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + body.length);
        }
        // HttpServer reads length 0 as "chunked"; -1 is its way to say "no body".
        exchange.sendResponseHeaders(status, to == from ? -1 : to - from);
        OutputStream out = exchange.getResponseBody();
        int half = from + (to - from) / 2;
        out.write(body, from, half - from);
        if (file.cutNow()) {
            out.flush();
            // Closing short of the announced length drops the connection: the client sees the body cut off.
            exchange.close();
            return;
        }
        if (file.stallsNow()) {
            out.flush();
            Thread.sleep(file.stall().toMillis());
        }
        out.write(body, half, to - half);
        out.close();
    }
}
