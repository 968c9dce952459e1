package dev.backout.runbook;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MarkdownRendererTests {

	private final MarkdownRenderer markdown = new MarkdownRenderer();

	@Test
	void rendersMarkdownAndEscapesWhatARunbookAuthorCouldInject() {
		assertThat(this.markdown.html("Rolls back **TASK A**:\n\n- drops `memory_chunks`\n- see [the doc](https://example.com/a)"))
			.contains("<strong>TASK A</strong>", "<li>drops <code>memory_chunks</code></li>", "href=\"https://example.com/a\"");
		String hostile = this.markdown.html("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>");
		assertThat(hostile).doesNotContain("<script>", "<img", "javascript:").contains("&lt;script&gt;");
		assertThat(this.markdown.html(null)).isEmpty();
	}

}
