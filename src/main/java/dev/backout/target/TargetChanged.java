package dev.backout.target;

import java.util.Map;

/** An admin changed a target's registration (where it points, who connects, its environment). */
public record TargetChanged(long targetId, String targetName, String changedBy, Map<String, String> now) {
}
