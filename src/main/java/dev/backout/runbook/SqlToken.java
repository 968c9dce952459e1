package dev.backout.runbook;

/**
 * A lexical token of PostgreSQL SQL, as the highlighter and the statement analysis see it.
 */
public record SqlToken(Type type, String text) {

	public enum Type {

		WORD, QUOTED_IDENTIFIER, STRING, NUMBER, COMMENT, SPACE, SEMICOLON, SYMBOL

	}

	/** The CSS class the highlighter gives this token (keywords are words the lexer knows). */
	public String cssClass() {
		return switch (this.type) {
			case WORD -> SqlScript.isKeyword(this.text) ? "sql-kw" : "sql-id";
			case STRING -> "sql-str";
			case NUMBER -> "sql-num";
			case COMMENT -> "sql-cmt";
			default -> "";
		};
	}

}
