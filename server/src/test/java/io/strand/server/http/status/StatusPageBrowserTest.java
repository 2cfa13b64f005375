package io.strand.server.http.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.strand.server.testing.BrokerCluster;
import io.strand.server.testing.StrandClusterExtension;
import io.strand.server.testing.StrandTestCluster;
import io.strand.testing.SlowTest;
import io.strand.testing.Wait;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
 * {@code /usr/bin/chromedriver} (both named explicitly, so Selenium Manager downloads nothing; bin/strand-test installs
 * them). The page is broker 1's; the test follows its links from a topic to its partitions to their last records, and
 * stops broker 3 to see the page notice.
 */
@ExtendWith(StrandClusterExtension.class)
@SlowTest
class StatusPageBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Duration SECONDS = Duration.ofSeconds(15);

    @Test
    void shouldShowTheClusterItsTopicsAndRecordsAndNoticeAStoppedBroker(
            @BrokerCluster(
                            brokers = 3,
                            properties = {
                                "metrics.http.listener=http://127.0.0.1:0",
                                "default.replication.factor=3",
                                // a broker stopping cleanly may fetch once more after the controller took it out of
                                // an ISR, and its leader puts it back; then only the leader's lag check removes it
                                "replica.lag.time.max.ms=4000"
                            })
                    StrandTestCluster cluster,
            @TempDir Path browserTmp)
            throws Exception {
        cluster.createTopic("status-page", 2, 3);
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of())) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
                    "status-page",
                    1,
                    "<b>x</b>".getBytes(StandardCharsets.UTF_8),
                    "<img src=x onerror=\"window.injected=1\">".getBytes(StandardCharsets.UTF_8));
            record.headers().add("<i>h</i>", "<script>window.injected=2</script>".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
        String page = "http://127.0.0.1:"
                + cluster.broker(1).httpAddress().orElseThrow().getPort() + "/";

        WebDriver browser = chromium(browserTmp);
        try {
            // the overview: the cluster, three live brokers, the topic, nothing under-replicated
            browser.get(page);
            waitForText(browser, "cluster-id", cluster.broker(1).clusterId());
            waitForText(browser, "live-brokers", "3 of 3");
            waitForText(browser, "under-replicated-count", "0");
            // topic -> partitions: leader, replicas, ISR, and each replica's offsets
            click(browser, "#topics-table tr[data-topic='status-page'] a");
            Wait.waitUntil("the partition table shows partition 1 with its three replicas, in sync", SECONDS, () -> {
                WebElement row = browser.findElement(By.cssSelector("#partitions-table tr[data-partition='1']"));
                return row.findElements(By.cssSelector("tr[data-replica]")).size() == 3
                        && row.getText().contains("in sync")
                        && !row.getText().contains("out of sync");
            });

            // partitions -> the last records: everything shown as text, none of it as markup
            click(browser, "#partitions-table tr[data-partition='1'] a[href^='/peek']");
            List<String> shown = Wait.waitFor(
                    "the record produced is shown",
                    SECONDS,
                    () -> {
                        WebElement row = browser.findElement(By.cssSelector("#records-table tr[data-offset='0']"));
                        return List.of(
                                row.findElement(By.cssSelector(".record-key")).getText(),
                                row.findElement(By.cssSelector(".record-value")).getText(),
                                row.findElement(By.cssSelector(".record-headers"))
                                        .getText());
                    },
                    texts -> true);
            assertEquals(
                    List.of(
                            "<b>x</b>",
                            "<img src=x onerror=\"window.injected=1\">",
                            "<i>h</i>: <script>window.injected=2</script>"),
                    shown);
            assertEquals(
                    List.of(),
                    browser.findElements(By.cssSelector("#main b, #main img, #main i, #main script")),
                    "record bytes became elements");
            assertEquals(null, ((JavascriptExecutor) browser).executeScript("return window.injected"));

            // back to the overview; a broker stops and the page says so within seconds, without a reload
            browser.get(page);
            waitForText(browser, "live-brokers", "3 of 3");
            waitForText(browser, "under-replicated-count", "0");
            cluster.stopBroker(3);
            Wait.waitUntil(
                    "the page shows broker 3 offline and the topic's partitions under-replicated",
                    SECONDS,
                    () -> text(browser, "live-brokers").equals("2 of 3")
                            && browser.findElement(By.cssSelector("#brokers-table tr[data-broker='3']"))
                                    .getText()
                                    .contains("offline")
                            && text(browser, "under-replicated-count").equals("2"),
                    () -> browser.findElement(By.id("main")).getText());
        } finally {
            browser.quit();
        }
    }

    /** Chromium keeps its profile and singleton socket under {@code tmp} (deleted after the test), not in /tmp. */
    private static WebDriver chromium(Path tmp) {
        assertTrue(
                new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                CHROMIUM + " and " + CHROMEDRIVER
                        + " are needed: apt-get install chromium chromium-driver (bin/strand-test does)");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withEnvironment(Map.of("TMPDIR", tmp.toString()))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--no-first-run",
                "--window-size=1400,1000");
        return new ChromeDriver(service, options);
    }

    /** Clicks the element {@code css} selects, again if a refresh replaced it in between. */
    private static void click(WebDriver browser, String css) throws InterruptedException {
        String before = browser.getCurrentUrl();
        Wait.waitUntil("a click on " + css + " leaves " + before, SECONDS, () -> {
            browser.findElement(By.cssSelector(css)).click();
            return !browser.getCurrentUrl().equals(before);
        });
    }

    private static String text(WebDriver browser, String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static void waitForText(WebDriver browser, String id, String expected) throws InterruptedException {
        Wait.waitUntil(
                "#" + id + " shows " + expected,
                SECONDS,
                () -> expected.equals(text(browser, id)),
                () -> browser.findElements(By.id(id)).isEmpty() ? "no #" + id : text(browser, id));
    }
}
