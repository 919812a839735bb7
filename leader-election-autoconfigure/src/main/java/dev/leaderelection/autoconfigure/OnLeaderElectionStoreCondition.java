package dev.leaderelection.autoconfigure;

import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The condition behind {@link ConditionalOnLeaderElectionStore}. */
class OnLeaderElectionStoreCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes =
                metadata.getAnnotationAttributes(ConditionalOnLeaderElectionStore.class.getName());
        String store = String.valueOf(attributes == null ? null : attributes.get("value"));
        String setting = context.getEnvironment().getProperty(StoreModules.PROPERTY);
        if (setting != null) {
            return store.equals(StoreModules.named(setting))
                    ? ConditionOutcome.match(StoreModules.PROPERTY + " is '" + setting + "'")
                    : ConditionOutcome.noMatch(StoreModules.PROPERTY + " is '" + setting + "', not '" + store + "'");
        }
        List<String> present = StoreModules.present(context.getClassLoader());
        return present.equals(List.of(store))
                ? ConditionOutcome.match("the " + store + " store is the only store module on the classpath")
                : ConditionOutcome.noMatch(
                        StoreModules.PROPERTY + " is not set and the store modules on the classpath are " + present);
    }
}
