package io.quotagate.gateway.config;

/**
 * Where counters live.
 *
 * @param redis   null when {@code type} is {@code memory}
 * @param onError what a group does when the store cannot be reached (groups may override)
 */
public record StoreConfig(Type type, RedisConfig redis, OnError onError) {

    /** Which store implementation holds the counters. */
    public enum Type { MEMORY, REDIS }
}
