package io.quotagate.gateway.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** {@link LeakDetectionExtension}: a class that drops a pooled buffer fails, and the failure shows the leak record. */
class LeakDetectionExtensionTest {

    private static final String LAUNCHED_HERE = "quotagate.leak-self-test";

    @Test
    void aClassThatDropsAPooledBufferFailsWithTheLeakRecord() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        // The run below takes every report; one from an earlier class would otherwise be lost in it.
        assertThat(LeakDetectionExtension.collect()).as("leaks reported before this test").isEmpty();

        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(Leaking.class))
                .configurationParameter(LAUNCHED_HERE, "true")
                .build(), listener);

        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsSucceededCount()).as("the leaking test itself passes").isEqualTo(1);
        assertThat(summary.getFailures()).singleElement().satisfies(failure -> assertThat(failure.getException())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 buffer(s) leaked by the end of " + Leaking.class.getName())
                .hasMessageContaining("AdvancedLeakAwareByteBuf.writeLong") // an access record: paranoid traces
                .hasMessageContaining("Created at:")
                .hasMessageContaining(Leaking.class.getName() + ".dropsAPooledBuffer"));
    }

    /** Runs only through the launcher above: on its own it fails, as it should. */
    @EnabledIf("launchedHere")
    static class Leaking {

        static boolean launchedHere(ExtensionContext context) {
            return context.getConfigurationParameter(LAUNCHED_HERE).isPresent();
        }

        @Test
        void dropsAPooledBuffer() {
            PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(42); // never released
        }
    }
}
