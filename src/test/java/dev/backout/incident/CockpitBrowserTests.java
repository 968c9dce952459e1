package dev.backout.incident;

import java.time.Duration;
import java.util.List;

import dev.backout.BrowserTest;
import dev.backout.system.DemoTarget;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.TestingAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 001 end to end the way people would do it, counted (issue 12): the commander at 1280×800
 * acts only on what is on screen — the cockpit bar's button, the form the page brings into view —
 * and the team lead approves in a browser of their own. Every click, fill and choice is an
 * interaction; every element not on screen when it is needed counts the pixels a person would
 * have to scroll. Both are printed; the test asserts that no scrolling was needed.
 */
class CockpitBrowserTests extends BrowserTest {

	@Autowired
	DemoTarget demo;

	@Test
	void seed001FromTheRunbookPageToCompletedWithTheNextActionAlwaysOnScreen() {
		this.demo.reset(new TestingAuthenticationToken("admin", null, "ROLE_ADMIN"));
		WebDriver commander = this.browser;
		viewport(commander, 1280, 800);
		signIn(commander, "commander");
		Interactions count = new Interactions();

		// The runbook's page holds the opening form, its target chosen (the only one of its alias group).
		commander.get(url("/runbooks/memory-schema-rls"));
		new WebDriverWait(commander, Duration.ofSeconds(10)).until((d) -> !d.findElements(By.cssSelector("form#open-incident")).isEmpty());
		screenshot(commander, "runbook-page");
		assertAccessible(commander, "runbook-page");
		count.fill(commander, By.name("symptom"), "Every query on memory_chunks returns nothing since the deploy");
		count.select(commander, By.name("severity"), "SEV1");
		count.click(commander, By.cssSelector("form#open-incident button[type=submit]"));
		count.act(commander, By.xpath("//div[@class='answers']//button[normalize-space()='Yes']"));
		assertAccessible(commander, "deciding");
		count.act(commander, By.cssSelector("#next-action button.next-button"));
		// Confirming ran the five read-only pre-checks (their rows say so; the flash may already have made way for a refresh).
		assertThat(commander.findElements(By.cssSelector(".prechecks .badge.run-succeeded"))).hasSize(5);
		count.fillNextForm(commander);
		count.act(commander, By.cssSelector("#next-action button.next-button"));
		assertThat(commander.findElement(By.id("next-action")).getText()).contains("Request approval");
		count.act(commander, By.cssSelector("#next-action button.next-button"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Awaiting approval");
		String incident = commander.getCurrentUrl().replaceAll(".*/incidents/(\\d+).*", "$1");

		WebDriver lead = openBrowser();
		signIn(lead, "lead");
		Interactions leadCount = new Interactions();
		// Signed in, the lead lands on the home page, which lists what waits for their approval.
		leadCount.click(lead, By.cssSelector("#waiting-approvals a[href='/approvals/" + incident + "']"));
		leadCount.click(lead, By.cssSelector(".decide-jump"));
		leadCount.fill(lead, By.name("comment"), "Checked the plan and the backup; go");
		leadCount.click(lead, By.xpath("//button[normalize-space()='Approve']"));
		// The click returns before the answer is shown: wait for it (no notice at all still fails here).
		WebElement approved = new WebDriverWait(lead, Duration.ofSeconds(15))
			.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".notice.success")));
		assertThat(approved.getText()).isEqualTo("Approved: the incident may execute.");

		new WebDriverWait(commander, Duration.ofSeconds(15))
			.until((d) -> settled(d) && d.findElement(By.id("incident-state")).getText().equals("Approved"));
		for (int guard = 0; guard < 40 && !commander.findElement(By.id("next-action")).getText().contains("close the incident"); guard++) {
			List<WebElement> restOfPhase = commander.findElements(By.cssSelector("#next-action button[form=until-a-person]"));
			if (!restOfPhase.isEmpty()) {
				count.act(commander, By.cssSelector("#next-action button[form=until-a-person]"));
				continue;
			}
			count.fillNextForm(commander);
			count.act(commander, By.cssSelector("#next-action button.next-button"));
			assertThat(commander.findElements(By.cssSelector(".cockpit-bar .notice.error"))).as("after a step").isEmpty();
		}
		assertAccessible(commander, "verified");
		count.fill(commander, By.name("summary"), "RLS blocked all memory queries; rolled back TASK A. Post-mortem tomorrow.");
		count.act(commander, By.cssSelector("#next-action button.next-button"));
		assertThat(commander.findElement(By.id("incident-state")).getText()).isEqualTo("Completed");
		screenshot(commander, "completed");

		System.out.printf("Seed 001, commander at 1280x800: %s%nSeed 001, team lead: %s%nSeed 001 in all: %d interactions%n", count,
				leadCount, count.total() + leadCount.total());
		assertThat(count.scrollsNeeded).as("times the commander's next action was off screen").isZero();
		assertThat(count.total() + leadCount.total()).as("interactions for seed 001, commander and lead").isLessThanOrEqualTo(30);
	}

	/** Sizes the window so that the page itself sees width × height (the window adds its own frame). */
	static void viewport(WebDriver driver, int width, int height) {
		driver.manage().window().setSize(new Dimension(width, height));
		Number inner = (Number) ((JavascriptExecutor) driver).executeScript("return window.innerHeight");
		driver.manage().window().setSize(new Dimension(width, height + (height - inner.intValue())));
	}

	/** What a person does, counted: clicks, fills and choices, and the scrolling each would have needed. */
	static final class Interactions {

		int clicks;

		int fills;

		int selects;

		int scrollsNeeded;

		long pixels;

		final List<String> offScreen = new java.util.ArrayList<>();

		int total() {
			return this.clicks + this.fills + this.selects;
		}

		void click(WebDriver driver, By by) {
			WebElement element = reach(driver, by);
			this.clicks++;
			element.click();
		}

		/** Clicks a button of the cockpit and waits until the cockpit came back. */
		void act(WebDriver driver, By by) {
			WebElement element = reach(driver, by);
			WebElement cockpit = driver.findElement(By.id("cockpit"));
			this.clicks++;
			element.click();
			new WebDriverWait(driver, Duration.ofSeconds(60)).until((d) -> stale(cockpit) && settled(d));
		}

		void fill(WebDriver driver, By by, String text) {
			WebElement element = reach(driver, by);
			this.fills++;
			element.sendKeys(text);
		}

		void select(WebDriver driver, By by, String value) {
			WebElement element = reach(driver, by);
			this.selects++;
			new Select(element).selectByValue(value);
		}

		/** Fills what the next action's form asks for: its typed confirmation, its checklist inputs. */
		void fillNextForm(WebDriver driver) {
			String form = driver.findElement(By.cssSelector("#next-action button.next-button")).getAttribute("form");
			for (WebElement field : driver.findElements(By.cssSelector("form#" + form + " input[type=text], form#" + form + " select"))) {
				if (!field.isDisplayed() || field.getAttribute("required") == null) {
					continue; // optional evidence: a person in a hurry leaves it
				}
				if (field.getTagName().equals("select")) {
					reachElement(driver, field);
					this.selects++;
					new Select(field).selectByIndex(1);
				}
				else if (field.getAttribute("value").isEmpty()) {
					reachElement(driver, field);
					this.fills++;
					field.sendKeys(field.getAttribute("name").equals("confirmation")
							? driver.findElement(By.cssSelector("form#" + form + " kbd")).getText() : "recorded in the browser test");
				}
			}
		}

		private WebElement reach(WebDriver driver, By by) {
			WebElement element = driver.findElement(by);
			reachElement(driver, element);
			return element;
		}

		/** Counts the pixels between the element and the visible part of the page (below a sticky bar), then scrolls there. */
		private void reachElement(WebDriver driver, WebElement element) {
			Number off = (Number) ((JavascriptExecutor) driver).executeScript("""
					const r = arguments[0].getBoundingClientRect();
					const bar = document.querySelector('.cockpit-bar');
					const top = (bar && !bar.contains(arguments[0])) ? bar.getBoundingClientRect().bottom : 0;
					if (r.top < top) { return top - r.top; }
					if (r.bottom > window.innerHeight) { return r.bottom - window.innerHeight; }
					return 0;""", element);
			if (off.longValue() > 0) {
				this.scrollsNeeded++;
				this.pixels += off.longValue();
				this.offScreen.add(element.getTagName() + "[" + element.getAttribute("name") + "|" + element.getText() + "] by " + off + " px");
				((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
			}
		}

		private static boolean stale(WebElement element) {
			try {
				element.isEnabled();
				return false;
			}
			catch (org.openqa.selenium.WebDriverException gone) {
				return true;
			}
		}

		@Override
		public String toString() {
			return "%d interactions (%d clicks, %d fills, %d choices); scrolling needed %d times, %d px %s".formatted(total(), this.clicks,
					this.fills, this.selects, this.scrollsNeeded, this.pixels, this.offScreen);
		}

	}

}
