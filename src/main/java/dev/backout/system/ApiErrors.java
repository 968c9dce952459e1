package dev.backout.system;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error of the JSON API as an RFC 9457 problem: Spring MVC's own (a body that is not JSON, a
 * missing parameter, an unknown incident) through {@link ResponseEntityExceptionHandler}, an
 * unknown path, and anything unexpected as a 500 that names no internals (it is logged). Refusals
 * each API controller knows are answered by its own handlers first.
 */
@RestControllerAdvice(annotations = RestController.class)
class ApiErrors extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

	/** Method security's refusal goes on to Spring Security, which answers 401 or 403 ({@link ApiProblems}). */
	@ExceptionHandler(AccessDeniedException.class)
	void denied(AccessDeniedException ex) {
		throw ex;
	}

	@ExceptionHandler(Exception.class)
	ProblemDetail unexpected(Exception ex, HttpServletRequest request) {
		log.error("API request {} {} failed", request.getMethod(), request.getRequestURI(), ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
				"The console could not answer this request; the error is in its log.");
		problem.setInstance(java.net.URI.create(request.getRequestURI()));
		return problem;
	}

	/** Paths under /api that no endpoint serves: a problem naming where the API is described. */
	@RestController
	static class UnknownApiPath {

		@RequestMapping("/api/**")
		void unknown(HttpServletRequest request) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No API endpoint answers " + request.getMethod() + " "
					+ request.getRequestURI() + ": the API is described at /v3/api-docs.");
		}

	}

}
