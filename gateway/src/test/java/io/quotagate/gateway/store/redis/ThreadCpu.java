package io.quotagate.gateway.store.redis;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of the JVM's live threads, summed by thread name without its trailing numbers ({@code redisson-timer-4-1}
 * and {@code redisson-timer-4-2} are one entry): where a benchmark's process CPU went.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** Nanoseconds of CPU per thread name so far. */
    static Map<String, Long> byName() {
        Map<String, Long> out = new HashMap<>();
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(t.getThreadId());
            if (cpu > 0) {
                out.merge(t.getThreadName().replaceAll("[-#\\d]+$", ""), cpu, Long::sum);
            }
        }
        return out;
    }

    /** Nanoseconds of CPU per thread name since {@code before} (threads started meanwhile count in full). */
    static Map<String, Long> since(Map<String, Long> before) {
        Map<String, Long> out = new HashMap<>();
        byName().forEach((name, cpu) -> {
            long d = cpu - before.getOrDefault(name, 0L);
            if (d > 0) {
                out.put(name, d);
            }
        });
        return out;
    }
}
