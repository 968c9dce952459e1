package dev.backout.runbook;

import java.util.List;

import org.springframework.stereotype.Component;

/**
 * Templates call {@code ${@sql.tokens(text)}} to render SQL as classed spans; Thymeleaf
 * escapes each token's text, so highlighting never injects markup.
 */
@Component("sql")
public class SqlHighlighter {

	public List<SqlToken> tokens(String sql) {
		return (sql != null) ? SqlScript.tokens(sql) : List.of();
	}

}
