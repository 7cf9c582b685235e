package com.elcanotek.victoria.runner.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code systemctl show} of the runner's unit: what the doctor learns of the service from systemd. */
final class Systemctl {

    static final String UNIT = "victoria-runner.service";

    private Systemctl() {
    }

    /**
     * @param systemctl the command
     * @return the properties asked for, as systemd gives them; empty when it cannot be asked or does not answer in 10 s
     */
    static Map<String, String> show(List<String> systemctl, String... properties) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> command = new ArrayList<>(systemctl);
        command.addAll(List.of("show", UNIT, "--property=" + String.join(",", properties)));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Waited for before its output is read: reading first would wait as long as a hung systemctl does. The few
            // properties asked for fit in the pipe's buffer, so systemctl never blocks on writing them.
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return values;
            }
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            out.lines().filter(line -> line.contains("=")).forEach(line -> values.put(line.substring(0, line.indexOf('=')),
                    line.substring(line.indexOf('=') + 1)));
        } catch (IOException e) {
            // no systemctl: nothing known of the unit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return values;
    }
}
