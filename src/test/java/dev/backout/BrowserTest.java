package dev.backout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/**
 * Base of the browser tests: the console on a random port, driven by Debian's Chromium
 * through {@code /usr/bin/chromedriver}, so that no test tool ever downloads a browser.
 * Screenshots go to {@code target/screenshots/}. Skips, saying why, only where no Chromium is
 * installed; {@code .ci/run} installs it, so in CI these tests always run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestcontainersConfiguration.class)
@ActiveProfiles("test")
public abstract class BrowserTest {

	static final String CHROMIUM = "/usr/bin/chromium";

	static final String CHROMEDRIVER = "/usr/bin/chromedriver";

	protected static final String DEMO_PASSWORD = "demo-password-for-tests";

	@LocalServerPort
	protected int port;

	protected WebDriver browser;

	protected WebDriverWait await;

	private String testName;

	private final java.util.List<WebDriver> opened = new java.util.ArrayList<>();

	@BeforeEach
	void startBrowser(TestInfo info) {
		Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
				"Browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
		this.testName = info.getTestClass().map(Class::getSimpleName).orElse("browser") + "-"
				+ info.getTestMethod().map((m) -> m.getName()).orElse("test");
		this.browser = openBrowser();
		this.await = new WebDriverWait(this.browser, Duration.ofSeconds(10));
	}

	/** A further, independent browser session (its own cookies), e.g. for a second person. */
	protected WebDriver openBrowser() {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
				"--disable-quic", "--window-size=1440,1000");
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		WebDriver driver = new ChromeDriver(service, options);
		driver.manage().window().setSize(new Dimension(1440, 1000));
		this.opened.add(driver);
		return driver;
	}

	@AfterEach
	void stopBrowsers() {
		this.opened.forEach(WebDriver::quit);
		this.opened.clear();
	}

	protected String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	protected void signIn(String username) {
		signIn(this.browser, username);
	}

	protected void signIn(WebDriver driver, String username) {
		driver.get(url("/login"));
		driver.findElement(By.name("username")).sendKeys(username);
		driver.findElement(By.name("password")).sendKeys(DEMO_PASSWORD);
		driver.findElement(By.cssSelector("button[type=submit]")).click();
		new WebDriverWait(driver, Duration.ofSeconds(10)).until((d) -> !d.getCurrentUrl().contains("/login"));
	}

	/**
	 * Clicks and waits until the page was replaced: every action posts and redirects, and on the
	 * incident page htmx swaps the cockpit in place instead.
	 */
	protected static void submit(WebDriver driver, By button) {
		WebElement element = driver.findElement(button);
		WebElement page = driver.findElements(By.id("cockpit")).stream().findFirst()
			.orElseGet(() -> driver.findElement(By.tagName("main")));
		((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
		element.click();
		new WebDriverWait(driver, Duration.ofSeconds(30)).until((d) -> replaced(page) && settled(d));
	}

	/** No htmx request in flight, nothing being swapped. */
	protected static boolean settled(WebDriver driver) {
		try {
			return Boolean.TRUE.equals(((JavascriptExecutor) driver)
				.executeScript("return document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"));
		}
		catch (WebDriverException navigating) {
			return false;
		}
	}

	/**
	 * Whether the page element is gone. While the page navigates, Chrome may answer "node does not
	 * belong to the document" instead of a stale-element error; both mean the page was replaced.
	 */
	private static boolean replaced(WebElement page) {
		try {
			page.isEnabled();
			return false;
		}
		catch (WebDriverException gone) {
			return true;
		}
	}

	/** Saves a screenshot as {@code target/screenshots/<Class>-<method>-<stage>.png}. */
	protected Path screenshot(String stage) {
		return screenshot(this.browser, stage);
	}

	/** axe-core from npm, unpacked by the build (download-maven-plugin) into target/axe-core. */
	private static final Path AXE = Path.of("target", "axe-core", "package", "axe.min.js");

	/**
	 * Runs axe-core on the page as it is now (WCAG 2.1 A and AA rules) and fails on any serious or
	 * critical violation, naming each with the elements it found. Returns how many rules passed.
	 */
	@SuppressWarnings("unchecked")
	protected static long assertAccessible(WebDriver driver, String page) {
		String axe;
		try {
			axe = Files.readString(AXE);
		}
		catch (IOException ex) {
			throw new IllegalStateException("axe-core is unpacked by the build into " + AXE + "; run the tests through Maven", ex);
		}
		JavascriptExecutor js = (JavascriptExecutor) driver;
		js.executeScript(axe);
		java.util.Map<String, Object> result = (java.util.Map<String, Object>) js.executeAsyncScript("""
				const done = arguments[arguments.length - 1];
				axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
				  .then((r) => done({ passes: r.passes.length, violations: r.violations
				      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
				      .map((v) => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')) }))
				  .catch((e) => done({ passes: 0, violations: ['axe failed: ' + e] }));
				""");
		java.util.List<String> violations = (java.util.List<String>) result.get("violations");
		org.assertj.core.api.Assertions.assertThat(violations).as("serious or critical accessibility violations on %s", page).isEmpty();
		return ((Number) result.get("passes")).longValue();
	}

	protected Path screenshot(WebDriver driver, String stage) {
		try {
			Path dir = Files.createDirectories(Path.of("target", "screenshots"));
			File shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE);
			Path target = dir.resolve(this.testName + "-" + stage + ".png");
			Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot save screenshot " + stage, ex);
		}
	}

}
