package io.quotagate.gateway.config;

/**
 * A configuration file that cannot be used, with where and why: the file, the line (1-based; 0 when
 * the problem is not tied to a line, such as an unreadable file), the key path
 * ({@code groups.portrait.routes[2].cost}; empty for the document as a whole) and a detail such as
 * {@code -1 (expected: >= 0)}. The message joins them as {@code FILE:LINE: KEY.PATH: DETAIL}, the form
 * operators see on start-up, on reload and from {@code config validate}.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String keyPath;
    private final String detail;

    public ConfigException(String file, int line, String keyPath, String detail) {
        this(file, line, keyPath, detail, null);
    }

    public ConfigException(String file, int line, String keyPath, String detail, Throwable cause) {
        super(format(file, line, keyPath, detail), cause);
        this.file = file;
        this.line = line;
        this.keyPath = keyPath;
        this.detail = detail;
    }

    /** The file (or the source name given to {@link ConfigLoader#parse}). */
    public String file() {
        return file;
    }

    /** 1-based line of the offending key or value; 0 when no line applies. */
    public int line() {
        return line;
    }

    /** Dotted key path with list indexes, e.g. {@code groups.portrait.routes[2].cost}; empty for the whole document. */
    public String keyPath() {
        return keyPath;
    }

    /** What is wrong, without file, line and key path, e.g. {@code -1 (expected: >= 0)}. */
    public String detail() {
        return detail;
    }

    private static String format(String file, int line, String keyPath, String detail) {
        StringBuilder message = new StringBuilder(file);
        if (line > 0) {
            message.append(':').append(line);
        }
        message.append(": ");
        if (!keyPath.isEmpty()) {
            message.append(keyPath).append(": ");
        }
        return message.append(detail).toString();
    }
}
