package io.lionfuncs.sample.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import io.lionfuncs.sample.DefinedPortTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard at {@code /} in headless Chromium: it loads without console errors, after
 * the burst button is clicked its tiles and charts show the calls finishing, and a
 * stream started from it shows as an open stream until it ends. The
 * screenshots stay in {@code target/} as test artifacts.
 * <p>
 * Needs Debian's {@code chromium} and {@code chromium-driver} ({@code .ci/run} installs
 * them); other paths can be given with the system properties {@code chromium.binary} and
 * {@code chromedriver.binary}. Both are named explicitly so that Selenium Manager never
 * tries to download a browser.
 */
@TestPropertySource(properties = "sample.upstream.chunk-delay=250ms")
class DashboardBrowserTests extends DefinedPortTests {

	private static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path
		.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final int BURST = 40;

	private ChromeDriver driver;

	@BeforeAll
	static void browserIsInstalled() {
		String install = " is missing: install it with 'apt-get install -y chromium chromium-driver'"
				+ " (as .ci/run does) or point -D%s at it";
		assertThat(CHROMIUM).as("Chromium " + CHROMIUM + install, "chromium.binary").isExecutable();
		assertThat(CHROMEDRIVER).as("ChromeDriver " + CHROMEDRIVER + install, "chromedriver.binary").isExecutable();
	}

	@BeforeEach
	void startBrowser(@TempDir Path profile) {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--window-size=1400,1300", "--user-data-dir=" + profile.toAbsolutePath());
		LoggingPreferences logging = new LoggingPreferences();
		logging.enable(LogType.BROWSER, Level.ALL);
		options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(service, options);
	}

	@AfterEach
	void stopBrowser() {
		if (this.driver != null) {
			this.driver.quit();
		}
	}

	@Test
	void chartsAndTilesFollowABurstWithoutConsoleErrors() throws IOException {
		this.driver.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.driver, TIMEOUT);
		// Two polls: the finished-per-second series starts from a baseline.
		wait.until((d) -> text(d, "status").startsWith("live") && Integer.parseInt(points(d, "doneChart")) >= 2);
		assertThat(text(this.driver, "running")).isEqualTo("running");
		assertThat(this.driver.findElements(By.cssSelector("#inFlight tbody tr"))).isNotEmpty();
		long completedBefore = tileValue(this.driver, "completed");

		WebElement count = this.driver.findElement(By.id("burstCount"));
		count.clear();
		count.sendKeys(String.valueOf(BURST));
		this.driver.findElement(By.id("burstButton")).click();

		// While the burst runs: calls queue up or hold slots (not asserted: polls are
		// once a second), a picture of the dashboard at work.
		wait.until((d) -> tileValue(d, "inflight") > 0 || tileValue(d, "queue") > 0
				|| "done".equals(attribute(d, "burstResult", "data-state")));
		screenshot("dashboard-during-burst.png");

		wait.until((d) -> "done".equals(attribute(d, "burstResult", "data-state"))
				|| "error".equals(attribute(d, "burstResult", "data-state")));
		assertThat(text(this.driver, "burstResult")).startsWith(BURST + " calls in").contains("completed " + BURST);
		wait.until((d) -> tileValue(d, "completed") >= completedBefore + BURST
				&& Double.parseDouble(attribute(d, "doneChart", "data-peak")) > 0);
		assertThat(text(this.driver, "doneLegend")).contains("completed");
		screenshot("dashboard-after-burst.png");

		assertThat(consoleErrors()).as("console errors").isEmpty();
	}

	@Test
	void aStreamShowsAsAnOpenStreamWhileItRuns() throws IOException {
		this.driver.get("http://localhost:" + this.port + "/");
		WebDriverWait wait = new WebDriverWait(this.driver, TIMEOUT);
		wait.until((d) -> text(d, "status").startsWith("live"));

		this.driver.findElement(By.id("streamButton")).click();

		// 20 chunks, 250 ms apart: open for 5 s, over several polls.
		wait.until((d) -> tileValue(d, "streams") == 1 && d.findElements(By.cssSelector("#inFlight td.stream"))
			.stream()
			.anyMatch((cell) -> cell.getText().equals("stream")));
		screenshot("dashboard-during-stream.png");
		wait.until((d) -> "done".equals(attribute(d, "streamResult", "data-state")));
		assertThat(text(this.driver, "streamResult")).startsWith("word0 word1").contains("[usage: ")
			.contains("done, 20 chunks");
		wait.until((d) -> tileValue(d, "streams") == 0);
		assertThat(consoleErrors()).as("console errors").isEmpty();
	}

	private List<LogEntry> consoleErrors() {
		return this.driver.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter((entry) -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
			.toList();
	}

	private void screenshot(String name) throws IOException {
		Path target = Path.of("target", name);
		Files.createDirectories(target.getParent());
		Files.copy(this.driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
	}

	private static String text(WebDriver driver, String id) {
		return driver.findElement(By.id(id)).getText();
	}

	private static String attribute(WebDriver driver, String id, String name) {
		String value = driver.findElement(By.id(id)).getDomAttribute(name);
		return (value != null) ? value : "";
	}

	private static String points(WebDriver driver, String chart) {
		String points = attribute(driver, chart, "data-points");
		return points.isEmpty() ? "0" : points;
	}

	private static long tileValue(WebDriver driver, String tile) {
		String value = attribute(driver, "tile-" + tile, "data-value").replace(",", "");
		return value.matches("-?\\d+") ? Long.parseLong(value) : 0;
	}

}
