package dev.backout.system;

import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * {@code Idempotency-Key} on the API requests that create something — opening an incident,
 * approving or rejecting one. The first request with a key runs; a retry with the same key and the
 * same request gets the first answer again ({@code Idempotency-Replayed: true}) instead of a second
 * incident; the same key with another request is refused (422), and one still running answers 409.
 * Keys are the caller's own (per user) and kept for a day. A 5xx answer is not kept: it may be retried.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 10)
class IdempotencyKeys extends OncePerRequestFilter {

	static final String HEADER = "Idempotency-Key";

	private static final Pattern CREATING = Pattern.compile("/api/incidents|/api/approvals/\\d+/(approve|reject)");

	private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

	private final JdbcClient jdbc;

	IdempotencyKeys(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !"POST".equals(request.getMethod()) || request.getHeader(HEADER) == null
				|| !CREATING.matcher(request.getRequestURI()).matches();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String key = request.getHeader(HEADER);
		Authentication user = SecurityContextHolder.getContext().getAuthentication();
		if (user == null || !user.isAuthenticated()) {
			chain.doFilter(request, response);
			return;
		}
		if (!KEY.matcher(key).matches()) {
			ApiProblems.write(request, response, HttpStatus.BAD_REQUEST,
					"An Idempotency-Key is 1 to 200 visible ASCII characters, such as a UUID.");
			return;
		}
		byte[] body = request.getInputStream().readAllBytes(); // bounded by RequestBodyLimit
		String hash = sha256(request.getMethod() + " " + request.getRequestURI() + "\n" + new String(body, StandardCharsets.UTF_8));
		this.jdbc.sql("delete from idempotency_key where created_at < now() - interval '1 day'").update();
		try {
			this.jdbc.sql("insert into idempotency_key (owner, key, path, request_hash) values (:owner, :key, :path, :hash)")
				.param("owner", user.getName())
				.param("key", key)
				.param("path", request.getRequestURI())
				.param("hash", hash)
				.update();
		}
		catch (DuplicateKeyException seen) {
			replay(request, response, user.getName(), key, hash);
			return;
		}
		ContentCachingResponseWrapper answer = new ContentCachingResponseWrapper(response);
		try {
			chain.doFilter(new ReplayableBody(request, body), answer);
		}
		finally {
			if (answer.getStatus() >= 500) {
				forget(user.getName(), key);
			}
			else {
				this.jdbc.sql("""
						update idempotency_key set status = :status, content_type = :type, body = :body
						where owner = :owner and key = :key""")
					.param("status", answer.getStatus())
					.param("type", answer.getContentType())
					.param("body", new String(answer.getContentAsByteArray(), StandardCharsets.UTF_8))
					.param("owner", user.getName())
					.param("key", key)
					.update();
			}
			answer.copyBodyToResponse();
		}
	}

	private void replay(HttpServletRequest request, HttpServletResponse response, String owner, String key, String hash)
			throws IOException {
		record Kept(String path, String requestHash, Integer status, String contentType, String body) {
		}
		Optional<Kept> kept = this.jdbc.sql("""
				select path, request_hash, status, content_type, body from idempotency_key where owner = :owner and key = :key""")
			.param("owner", owner)
			.param("key", key)
			.query((rs, row) -> new Kept(rs.getString(1), rs.getString(2), (Integer) rs.getObject(3), rs.getString(4), rs.getString(5)))
			.optional();
		if (kept.isEmpty() || !kept.get().requestHash().equals(hash)) {
			ApiProblems.write(request, response, HttpStatus.UNPROCESSABLE_CONTENT, "This Idempotency-Key was used for another request"
					+ kept.map((k) -> " (" + k.path() + ")").orElse("") + ": use a new key for a new request.");
			return;
		}
		if (kept.get().status() == null) {
			ApiProblems.write(request, response, HttpStatus.CONFLICT,
					"The first request with this Idempotency-Key is still running: ask again in a moment.");
			return;
		}
		response.setStatus(kept.get().status());
		if (kept.get().contentType() != null) {
			response.setContentType(kept.get().contentType());
		}
		response.setHeader("Idempotency-Replayed", "true");
		response.getOutputStream().write(kept.get().body().getBytes(StandardCharsets.UTF_8));
	}

	private void forget(String owner, String key) {
		this.jdbc.sql("delete from idempotency_key where owner = :owner and key = :key").param("owner", owner).param("key", key).update();
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The request with its body read once and served again to the controller. */
	private static final class ReplayableBody extends HttpServletRequestWrapper {

		private final byte[] body;

		ReplayableBody(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {
				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] buffer, int offset, int length) {
					return in.read(buffer, offset, length);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("The console reads request bodies synchronously.");
				}
			};
		}

		@Override
		public BufferedReader getReader() {
			return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
		}

	}

}
