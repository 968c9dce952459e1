package dev.backout.runbook;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.backout.runbook.SqlToken.Type;

/**
 * A small lexer for PostgreSQL scripts: splits statements at top-level semicolons and knows
 * comments ({@code --}, nested block comments), string literals ({@code '…'}, {@code E'…'},
 * dollar quotes {@code $tag$…$tag$}) and quoted identifiers, which is all that deciding
 * "what does this statement do" and highlighting need. It does not parse SQL.
 */
public final class SqlScript {

	private static final Set<String> KEYWORDS = Set.of("ADD", "ALL", "ALTER", "AND", "ARRAY", "AS", "ASC", "BEFORE",
			"BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST", "CHECK", "COALESCE", "COLUMN", "COMMIT", "CONCURRENTLY",
			"CONSTRAINT", "COUNT", "CREATE", "DEFAULT", "DELETE", "DESC", "DISABLE", "DISTINCT", "DO", "DROP", "EACH",
			"ELSE", "ENABLE", "END", "ENUM", "EXECUTE", "EXISTS", "EXTENSION", "FALSE", "FOR", "FOREIGN", "FROM",
			"FUNCTION", "GRANT", "GROUP", "HAVING", "IF", "IN", "INDEX", "INSERT", "INTO", "IS", "JOIN", "KEY", "LEFT",
			"LEVEL", "LIKE", "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER", "POLICY", "PRIMARY", "PROCEDURE",
			"REFERENCES", "RENAME", "REPLACE", "RETURNING", "RETURNS", "ROLLBACK", "ROW", "SCHEMA", "SECURITY",
			"SELECT", "SEQUENCE", "SET", "TABLE", "THEN", "TO", "TRIGGER", "TRUE", "TRUNCATE", "TYPE", "UNION",
			"UNIQUE", "UPDATE", "USING", "VALUE", "VALUES", "VIEW", "WHEN", "WHERE", "WITH", "WITHOUT");

	private SqlScript() {
	}

	static boolean isKeyword(String word) {
		return KEYWORDS.contains(SqlStatement.normalize(word));
	}

	/** The statements of {@code sql}, without empty ones (a script of only comments has none). */
	public static List<SqlStatement> statements(String sql) {
		List<SqlStatement> statements = new ArrayList<>();
		StringBuilder text = new StringBuilder();
		List<String> words = new ArrayList<>();
		for (SqlToken token : tokens(sql)) {
			if (token.type() == Type.SEMICOLON) {
				add(statements, text, words);
				text.setLength(0);
				words = new ArrayList<>();
				continue;
			}
			text.append(token.text());
			if (token.type() == Type.WORD) {
				words.add(SqlStatement.normalize(token.text()));
			}
			else if (token.type() == Type.QUOTED_IDENTIFIER) {
				// A quoted identifier is a name, never a keyword.
				words.add(token.text());
			}
		}
		add(statements, text, words);
		return statements;
	}

	private static void add(List<SqlStatement> statements, StringBuilder text, List<String> words) {
		if (!words.isEmpty()) {
			statements.add(new SqlStatement(stripComments(text.toString()).trim(), words));
		}
	}

	private static String stripComments(String text) {
		StringBuilder result = new StringBuilder();
		for (SqlToken token : tokens(text)) {
			if (token.type() != Type.COMMENT) {
				result.append(token.text());
			}
		}
		return result.toString();
	}

	/** Every token of {@code sql}, white space and comments included: concatenated they are {@code sql}. */
	public static List<SqlToken> tokens(String sql) {
		List<SqlToken> tokens = new ArrayList<>();
		int i = 0;
		int n = sql.length();
		while (i < n) {
			char c = sql.charAt(i);
			int end;
			Type type;
			if (Character.isWhitespace(c)) {
				end = i + 1;
				while (end < n && Character.isWhitespace(sql.charAt(end))) {
					end++;
				}
				type = Type.SPACE;
			}
			else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
				end = sql.indexOf('\n', i);
				end = (end < 0) ? n : end;
				type = Type.COMMENT;
			}
			else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
				end = blockCommentEnd(sql, i);
				type = Type.COMMENT;
			}
			else if (c == '\'') {
				end = quotedEnd(sql, i, '\'', false);
				type = Type.STRING;
			}
			else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
				end = quotedEnd(sql, i + 1, '\'', true);
				type = Type.STRING;
			}
			else if (c == '"') {
				end = quotedEnd(sql, i, '"', false);
				type = Type.QUOTED_IDENTIFIER;
			}
			else if (c == '$' && dollarTag(sql, i) != null) {
				String tag = dollarTag(sql, i);
				int close = sql.indexOf(tag, i + tag.length());
				end = (close < 0) ? n : close + tag.length();
				type = Type.STRING;
			}
			else if (identifierStart(c)) {
				end = i + 1;
				while (end < n && (identifierStart(sql.charAt(end)) || isAsciiDigit(sql.charAt(end)) || sql.charAt(end) == '$')) {
					end++;
				}
				type = Type.WORD;
			}
			else if (isAsciiDigit(c)) {
				end = i + 1;
				while (end < n && (isAsciiDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
					end++;
				}
				type = Type.NUMBER;
			}
			else if (c == ';') {
				end = i + 1;
				type = Type.SEMICOLON;
			}
			else {
				end = i + 1;
				type = Type.SYMBOL;
			}
			tokens.add(new SqlToken(type, sql.substring(i, end)));
			i = end;
		}
		return tokens;
	}

	private static int blockCommentEnd(String sql, int start) {
		int depth = 0;
		int i = start;
		while (i < sql.length() - 1) {
			if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
				depth++;
				i += 2;
			}
			else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
				depth--;
				i += 2;
				if (depth == 0) {
					return i;
				}
			}
			else {
				i++;
			}
		}
		return sql.length();
	}

	/** End of a quoted run starting at {@code start}; a doubled quote is an escaped quote. */
	private static int quotedEnd(String sql, int start, char quote, boolean backslashEscapes) {
		int i = start + 1;
		while (i < sql.length()) {
			char c = sql.charAt(i);
			if (backslashEscapes && c == '\\') {
				i += 2;
				continue;
			}
			if (c == quote) {
				if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
					i += 2;
					continue;
				}
				return i + 1;
			}
			i++;
		}
		return sql.length();
	}

	/**
	 * PostgreSQL's {@code ident_start}: an ASCII letter, an underscore, or any non-ASCII character
	 * (its scanner works on bytes, and every byte of a multi-byte character is 0x80 or above).
	 * {@code Character.isLetter} would disagree on symbols such as '€', and a dollar sign after
	 * one would start a quote for this lexer but continue a name for the server.
	 */
	private static boolean identifierStart(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
	}

	private static boolean isAsciiDigit(char c) {
		return c >= '0' && c <= '9';
	}

	/** The dollar-quote tag at {@code start} ({@code $$} or {@code $name$}, name as PostgreSQL's {@code dolq_cont}), or null. */
	private static String dollarTag(String sql, int start) {
		int i = start + 1;
		while (i < sql.length() && (identifierStart(sql.charAt(i)) || isAsciiDigit(sql.charAt(i)))) {
			i++;
		}
		if (i < sql.length() && sql.charAt(i) == '$' && (i == start + 1 || !isAsciiDigit(sql.charAt(start + 1)))) {
			return sql.substring(start, i + 1);
		}
		return null;
	}

}
