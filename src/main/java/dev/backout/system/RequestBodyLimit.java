package dev.backout.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code backout.http.max-body} (default 1 MB) with 413 before
 * anything reads them, so nothing unbounded reaches the append-only trail. Bodies of unknown
 * length (chunked) are refused too: every form and JSON request the console expects is small.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestBodyLimit extends OncePerRequestFilter {

	private final long maxBytes;

	RequestBodyLimit(@Value("${backout.http.max-body:1MB}") DataSize maxBody) {
		this.maxBytes = maxBody.toBytes();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long length = request.getContentLengthLong();
		if (length > this.maxBytes || (length < 0 && "chunked".equalsIgnoreCase(request.getHeader("Transfer-Encoding")))) {
			response.sendError(HttpStatus.CONTENT_TOO_LARGE.value(), "The request body is larger than the console accepts ("
					+ DataSize.ofBytes(this.maxBytes).toKilobytes() + " KB at most; chunked bodies are not accepted).");
			return;
		}
		chain.doFilter(request, response);
	}

}
