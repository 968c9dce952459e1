package dev.backout.target;

import dev.backout.system.DemoTarget;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Keeps the demo target registered under the runbooks' default alias {@code demo}. Its URL is
 * refreshed at every start because the embedded server picks a free port each time.
 */
@Component
@ConditionalOnBooleanProperty("backout.demo.enabled")
class DemoTargetRegistration implements SmartInitializingSingleton {

	static final String NAME = "demo";

	private final DemoTarget demo;

	private final Targets targets;

	DemoTargetRegistration(DemoTarget demo, Targets targets) {
		this.demo = demo;
		this.targets = targets;
	}

	@Override
	public void afterSingletonsInstantiated() {
		var spec = new Targets.TargetSpec(NAME, DemoTarget.ALIAS, Environment.DEMO, this.demo.jdbcUrl(),
				this.demo.username(), this.demo.password());
		this.targets.findByName(NAME).ifPresentOrElse((existing) -> {
			if (!existing.jdbcUrl().equals(spec.jdbcUrl())) {
				this.targets.update(existing.id(), spec, null);
			}
		}, () -> this.targets.register(spec, null));
	}

}
