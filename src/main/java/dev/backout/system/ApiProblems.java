package dev.backout.system;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * RFC 9457 problem details for what the JSON API refuses before any controller runs: no or a bad
 * token (401), a role that may not (403). Errors inside API controllers are {@link ApiErrors}'.
 */
public final class ApiProblems {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ApiProblems() {
	}

	public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
			throws IOException {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", status.getReasonPhrase());
		problem.put("status", status.value());
		problem.put("detail", detail);
		problem.put("instance", request.getRequestURI());
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		if (status == HttpStatus.UNAUTHORIZED) {
			response.setHeader("WWW-Authenticate", "Bearer");
		}
		JSON.writeValue(response.getOutputStream(), problem);
	}

	/** 401 for the API: what to send, instead of a redirect to the sign-in page. */
	public static AuthenticationEntryPoint unauthorized() {
		return (request, response, ex) -> write(request, response, HttpStatus.UNAUTHORIZED,
				"Sign in: send Authorization: Bearer <token> with a personal API token (create one on your profile page).");
	}

	/** 403 for the API: signed in, but this role may not. */
	public static AccessDeniedHandler forbidden() {
		return (HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex) -> write(request, response,
				HttpStatus.FORBIDDEN, "Your roles do not allow " + request.getMethod() + " " + request.getRequestURI() + ".");
	}

}
