package dev.backout.target;

import dev.backout.system.DemoTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Keeps the demo target registered under the runbooks' default alias {@code demo}. The embedded
 * server keeps its port across restarts; when the port was taken and the URL changes, incidents
 * approved on the demo target halt for a new approval (their plan names the URL), and while a
 * step is in flight on it the URL is left as it was (settling that step must ask the same server).
 */
@Component
@ConditionalOnBooleanProperty("backout.demo.enabled")
class DemoTargetRegistration implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(DemoTargetRegistration.class);

	static final String NAME = "demo";

	private final DemoTarget demo;

	private final Targets targets;

	DemoTargetRegistration(DemoTarget demo, Targets targets) {
		this.demo = demo;
		this.targets = targets;
	}

	@Override
	public void afterSingletonsInstantiated() {
		var spec = new Targets.TargetSpec(NAME, DemoTarget.ALIAS, Environment.DEMO, this.demo.jdbcUrl(), DemoTarget.OWNER,
				this.demo.rolePassword(), DemoTarget.READER, this.demo.rolePassword(), false);
		this.targets.findByName(NAME).ifPresentOrElse((existing) -> {
			if (!existing.jdbcUrl().equals(spec.jdbcUrl()) || !existing.username().equals(DemoTarget.OWNER)
					|| !DemoTarget.READER.equals(existing.checkUsername()) || this.demo.rolePassword() != null) {
				try {
					this.targets.update(existing.id(), spec, null);
				}
				catch (TargetException refused) {
					log.warn("The demo target keeps its old URL {}: {}", existing.jdbcUrl(), refused.getMessage());
				}
			}
		}, () -> this.targets.register(spec, null));
	}

}
