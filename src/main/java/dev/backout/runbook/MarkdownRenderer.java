package dev.backout.runbook;

import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

import org.springframework.stereotype.Component;

/**
 * Renders a runbook's Markdown for its page (Thymeleaf's {@code th:utext} may not call beans). A runbook is
 * written by people other than the ones reading it, so its raw HTML is escaped, never passed on,
 * and links and images with unsafe schemes (javascript:, data:…) lose their address.
 */
@Component
public class MarkdownRenderer {

	private final Parser parser = Parser.builder().build();

	private final HtmlRenderer renderer = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

	public String html(String markdown) {
		return (markdown != null) ? this.renderer.render(this.parser.parse(markdown)) : "";
	}

}
