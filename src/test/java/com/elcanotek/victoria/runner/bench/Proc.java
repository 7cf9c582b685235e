package com.elcanotek.victoria.runner.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What Linux says about a process in /proc: resident memory and CPU time. */
final class Proc {

    /** {@code getconf CLK_TCK}, handed over by bench/run.sh; 100 on every common Linux. */
    private static final double TICKS_PER_SECOND = Long.getLong("bench.clk-tck", 100);

    private Proc() {
    }

    /** VmRSS: resident memory now, in MB. */
    static double rssMb(long pid) {
        return statusKb(pid, "VmRSS:") / 1024.0;
    }

    /** VmHWM: the highest resident memory since the process started, in MB. */
    static double peakRssMb(long pid) {
        return statusKb(pid, "VmHWM:") / 1024.0;
    }

    /** utime + stime: CPU seconds used so far by all the process's threads (not by its children). */
    static double cpuSeconds(long pid) {
        String[] fields = statFields(pid);
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /**
     * cutime + cstime: CPU seconds used so far by the process's children that have ended and been reaped, e.g. the
     * short CLI calls a runner makes, which {@link #descendants} no longer sees.
     */
    static double reapedChildrenCpuSeconds(long pid) {
        String[] fields = statFields(pid);
        // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after the name.
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / TICKS_PER_SECOND;
    }

    /**
     * The process's children and their children, as counted together: RSS counts a page shared by several of
     * them once per process, PSS splits it among them, so PSS is what they really add to the host. {@code cpuSeconds}
     * is the CPU time they have used so far.
     */
    record Descendants(int count, double rssMb, double pssMb, double cpuSeconds) {
    }

    static Descendants descendants(long pid) {
        List<Long> pids = ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid).toList();
        double rss = 0;
        double pss = 0;
        double cpu = 0;
        int alive = 0;
        for (long child : pids) {
            try {
                double childRss = rssMb(child);
                double childPss = kb(read(child, "smaps_rollup"), "Pss:") / 1024.0;
                double childCpu = cpuSeconds(child);
                rss += childRss;
                pss += childPss;
                cpu += childCpu;
                alive++;
            } catch (UncheckedIOException e) {
                // It ended between the listing and the reading.
            }
        }
        return new Descendants(alive, rss, pss, cpu);
    }

    /** The fields of /proc/PID/stat after the command name (field 2), which may hold spaces and parentheses. */
    private static String[] statFields(long pid) {
        String stat = read(pid, "stat");
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long statusKb(long pid, String field) {
        return kb(read(pid, "status"), field);
    }

    private static long kb(String text, String field) {
        return text.lines().filter(line -> line.startsWith(field)).findFirst()
                .map(line -> Long.parseLong(line.substring(field.length()).replace("kB", "").strip()))
                .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc"));
    }

    private static String read(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file));
        } catch (IOException e) {
            throw new UncheckedIOException("process " + pid + " is gone", e);
        }
    }
}
