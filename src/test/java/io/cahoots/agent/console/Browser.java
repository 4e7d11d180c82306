package io.cahoots.agent.console;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian {@code chromium} + {@code chromium-driver}) driven by Selenium. Binary and
 * driver are given explicitly, so Selenium Manager never runs and nothing is downloaded; a fresh profile
 * directory per browser, removed on close. Missing packages fail the test with the line that installs them.
 */
public final class Browser implements AutoCloseable {

    static final String INSTALL = "apt-get install -y chromium chromium-driver";

    // Selenium 4.27 ships DevTools bindings up to Chromium 131 and warns at every start that Debian's newer
    // Chromium has none. The tests use WebDriver and chromedriver's own CDP endpoint only, so the warning
    // is noise. Held in fields: java.util.logging keeps loggers weakly.
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder"),
            java.util.logging.Logger.getLogger("org.openqa.selenium.chromium.ChromiumDriver"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.SEVERE));
    }

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    public static Browser start(int width, int height) {
        String binary = System.getProperty("console.chromium", "/usr/bin/chromium");
        String driverPath = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        for (String f : List.of(binary, driverPath)) {
            if (!Files.isExecutable(Path.of(f))) {
                throw new AssertionError(f + " is missing: the console tests need a real Chromium (" + INSTALL + ")");
            }
        }
        System.setProperty("webdriver.chrome.driver", driverPath);
        Path profile;
        try {
            profile = Files.createTempDirectory("console-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(binary);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-GB");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driverPath)).usingAnyFreePort().build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new Browser(profile, service, driver);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** A number the page measured about itself ({@code window.cahootsConsole.perf[name]}). */
    public double perf(String name) {
        Object v = js("return window.cahootsConsole && window.cahootsConsole.perf[arguments[0]];", name);
        if (!(v instanceof Number n)) {
            throw new AssertionError("no perf figure " + name + " on the page (got " + v + ")");
        }
        return n.doubleValue();
    }

    public Object state(String name) {
        return js("return window.cahootsConsole.state[arguments[0]];", name);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String text(String css) {
        return find(css).getText();
    }

    public <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class); // a row redrawn between find and read: look again
        wait.withMessage(() -> what + "\n--- page text ---\n" + bodyText() + "\n--- browser console ---\n" + consoleLog());
        return wait.until(condition);
    }

    public String bodyText() {
        try {
            return driver.findElement(By.tagName("body")).getText();
        } catch (RuntimeException e) {
            return "(" + e + ")";
        }
    }

    /** What the page wrote to the browser's console since the last call. */
    public String consoleLog() {
        StringBuilder out = new StringBuilder();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            out.append(e.getLevel()).append(' ').append(e.getMessage()).append('\n');
        }
        return out.toString();
    }

    /** Screenshot of the whole page, beyond the viewport, as PNG (Chromium's own capture). */
    public void screenshot(Path file) throws IOException {
        // From the top, two frames later: scrolled down (by a click on a lower panel), the sticky header would sit
        // mid-page and the map's rows (content-visibility: auto) would be captured before they are painted.
        js("window.scrollTo(0, 0);");
        ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));");
        // Capturing beyond the viewport lays the page out without a vertical scrollbar: the full window width.
        Object size = js("return [Math.max(window.innerWidth, document.documentElement.scrollWidth),"
                + " document.documentElement.scrollHeight];");
        @SuppressWarnings("unchecked")
        List<Number> wh = (List<Number>) size;
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", wh.get(0).intValue(), "height", wh.get(1).intValue(), "scale", 1)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    public byte[] viewportPng() {
        return driver.getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp profile left behind is harmless
        }
    }
}
