package io.quotagate.gateway.store;

/**
 * What a tenant receives once per group (rule 1).
 *
 * @param freeValidityMillis how long the free lot lasts, from activation
 */
public record Activation(int freeCalls, long freeValidityMillis, int freeTemplates) {
}
