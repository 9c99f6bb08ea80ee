package io.quotagate.gateway.admin;

/**
 * What the admin API needs from the gateway's config holder: the config in force, and a reload on demand
 * ({@code POST /v1/config/reload}). The composition root implements it around its config reference.
 */
public interface ConfigControl {

    /**
     * Reads and validates the config file whole; swaps it in only when it is valid. May block (it reads a file): the
     * admin API calls it off the event loop, one reload at a time.
     */
    ReloadResult reload();

    /** The config in force and when it was loaded. */
    ConfigInfo current();
}
