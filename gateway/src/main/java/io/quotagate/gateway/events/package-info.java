/**
 * Billing events: what a vendor's billing system acts on (calls low or exhausted, a lot or a QPS purchase about
 * to end, a tenant suspended or resumed, a grant applied), delivered to a webhook, signed, at least once.
 *
 * <p>{@link io.quotagate.gateway.events.BillingEvents} notices them (from admission decisions and admin
 * operations), {@link io.quotagate.gateway.events.EventStore} decides once across all replicas by event id and
 * keeps the outbox and the schedule of expiry reminders, and {@link io.quotagate.gateway.events.EventDispatcher}
 * (one per replica) claims due events and reminders, signs ({@link io.quotagate.gateway.events.WebhookSignature})
 * and sends them, retrying with backoff.
 */
package io.quotagate.gateway.events;
