package org.trustfleet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (the Debian {@code chromium} and {@code chromium-driver} packages, installed by {@code .ci/run})
 * driven by Selenium, for the console's browser tests. Each browser gets a fresh profile, talks only to loopback and
 * saves screenshots under {@code target/console-screenshots}; with {@code -Dconsole.screenshot-dir=docs/img}
 * the README's screenshots are written there too.
 *
 * <p>Every wait is on a condition (an element, a text, a file), never a fixed time: a slow machine makes a test
 * slower, not red. The patience is generous for that reason.
 */
public final class Browser implements AutoCloseable {
    public static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final WebDriver driver;
    private final String baseUrl;
    private final Path profile;
    private final Path downloads;

    private Browser(WebDriver driver, String baseUrl, Path profile, Path downloads) {
        this.driver = driver;
        this.baseUrl = baseUrl;
        this.profile = profile;
        this.downloads = downloads;
    }

    /** A new headless browser with a fresh profile, 1280 px wide, for the service at {@code baseUrl}. */
    public static Browser open(String baseUrl) {
        try {
            Files.createDirectories(Path.of("target"));
            Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile-");
            Path downloads = Files.createTempDirectory(Path.of("target"), "chromium-downloads-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser"));
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(),
                    "--window-size=1280,900");
            Map<String, Object> prefs = new HashMap<>();
            prefs.put("download.default_directory", downloads.toAbsolutePath().toString());
            prefs.put("download.prompt_for_download", false);
            options.setExperimentalOption("prefs", prefs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(firstExisting("/usr/bin/chromedriver",
                            "/usr/lib/chromium/chromedriver")).toFile())
                    .usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(PATIENCE);
            return new Browser(driver, baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl,
                    profile, downloads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("not installed: " + String.join(" or ", paths)
                + " (apt-get install chromium chromium-driver; .ci/run does it)");
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens a path of the service. */
    public Browser go(String path) {
        driver.get(baseUrl + path);
        return this;
    }

    public String currentPath() {
        return driver.getCurrentUrl().substring(baseUrl.length());
    }

    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, PATIENCE).until(condition::apply);
    }

    /** Waits for the element to be visible and returns it. */
    public WebElement visible(By by) {
        return new WebDriverWait(driver, PATIENCE).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits until the page's URL path is {@code path} (after redirects and form posts). */
    public void awaitPath(String path) {
        new WebDriverWait(driver, PATIENCE).until(d -> currentPath().equals(path) || currentPath().startsWith(path + "?"));
    }

    public void type(By by, String text) {
        WebElement e = visible(by);
        e.clear();
        e.sendKeys(text);
    }

    /**
     * Clicks and waits for the page it leads to. The old page is marked with a window property that the new document
     * does not have: waiting for an old element to go stale instead fails now and then, because ChromeDriver may
     * answer "node does not belong to the document" (not a stale-element error) while the navigation is under way.
     */
    public void clickAndWaitForNewPage(By by) {
        script("window.trustfleetOldPage = true");
        visible(by).click();
        new WebDriverWait(driver, PATIENCE).ignoring(WebDriverException.class).until(d -> Boolean.TRUE.equals(
                ((JavascriptExecutor) d).executeScript(
                        "return window.trustfleetOldPage === undefined && document.readyState === 'complete'")));
    }

    public String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    public Object script(String js) {
        return ((JavascriptExecutor) driver).executeScript(js);
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Saves a screenshot as {@code target/console-screenshots/<name>.png}. */
    public Path screenshot(String name) {
        return screenshot(name, false);
    }

    /**
     * Saves a screenshot under {@code target/console-screenshots} and, when the run was started with
     * {@code -Dconsole.screenshot-dir=docs/img}, as {@code docs/img/console-<name>.png} for the README.
     */
    public Path readmeScreenshot(String name) {
        return screenshot(name, true);
    }

    private Path screenshot(String name, boolean readme) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
            String dirName = System.getProperty("console.screenshot-dir");
            if (readme && dirName != null && !dirName.isBlank()) {
                Path dir = Path.of(dirName);
                Files.createDirectories(dir);
                Files.copy(shot, dir.resolve("console-" + name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same page at another width (390 px: a phone). */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Waits until a download with the given name is complete and returns its path. */
    public Path awaitDownload(String fileName) {
        Path file = downloads.resolve(fileName);
        new WebDriverWait(driver, PATIENCE).until(d -> Files.isRegularFile(file)
                && !Files.exists(downloads.resolve(fileName + ".crdownload")));
        return file;
    }

    public Path downloads() {
        return downloads;
    }

    @Override
    public void close() {
        driver.quit();
        deleteQuietly(profile);
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a profile left in target/ is cleaned by the next mvn clean
        }
    }
}
