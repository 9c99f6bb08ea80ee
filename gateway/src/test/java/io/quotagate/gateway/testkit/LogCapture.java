package io.quotagate.gateway.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Reads what this process logs through logback while it is open: an appender attached to named loggers, each event
 * formatted as a line (message, and for {@link #everything} also level, logger and the whole stack trace of an
 * exception). Levels changed for the capture are restored on {@link #close()}.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final PatternLayout layout = new PatternLayout();
    private final List<String> lines = new ArrayList<>();
    private final Map<Logger, Level> previousLevels = new LinkedHashMap<>();
    private final List<Logger> attached = new ArrayList<>();

    private LogCapture(String pattern) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        setContext(context);
        layout.setContext(context);
        layout.setPattern(pattern);
        layout.start();
        start();
    }

    /** The messages of one logger (e.g. {@code quotagate.audit}), as its own appender would write them with {@code %msg}. */
    public static LogCapture messagesOf(String loggerName) {
        LogCapture capture = new LogCapture("%msg");
        capture.attach(loggerName, null);
        return capture;
    }

    /**
     * Everything the gateway would log in production (logback.xml: INFO, Netty and Redisson at WARN), its own
     * loggers down to DEBUG, and the audit log: level, thread, logger, message and any stack trace.
     */
    public static LogCapture everything() {
        LogCapture capture = new LogCapture("%level [%thread] %logger - %msg%n%ex");
        capture.attach(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.INFO);
        capture.level("io.netty", Level.WARN);
        capture.level("org.redisson", Level.WARN);
        capture.level("io.quotagate", Level.DEBUG);
        capture.attach(io.quotagate.gateway.admin.AuditLog.LOGGER, Level.INFO);
        return capture;
    }

    private void attach(String name, Level level) {
        Logger logger = level(name, level);
        logger.addAppender(this);
        attached.add(logger);
    }

    private Logger level(String name, Level level) {
        Logger logger = (Logger) LoggerFactory.getLogger(name);
        if (level != null) {
            previousLevels.put(logger, logger.getLevel());
            logger.setLevel(level);
        }
        return logger;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = layout.doLayout(event);
        synchronized (lines) {
            lines.add(line);
        }
    }

    /** The lines captured so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits until at least {@code count} lines were captured (or fails after {@code timeout}); returns them all. */
    public List<String> await(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines().size() < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("expected " + count + " log lines within " + timeout + ", got " + lines());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return lines();
    }

    @Override
    public void close() {
        attached.forEach(logger -> logger.detachAppender(this));
        previousLevels.forEach(Logger::setLevel);
        stop();
    }
}
