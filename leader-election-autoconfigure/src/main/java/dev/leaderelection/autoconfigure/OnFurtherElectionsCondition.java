package dev.leaderelection.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The condition behind {@link ConditionalOnFurtherElections}. */
class OnFurtherElectionsCondition extends SpringBootCondition {

    private static final String PROPERTY = "leader.election.elections";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes =
                metadata.getAnnotationAttributes(ConditionalOnFurtherElections.class.getName());
        boolean wanted = attributes == null || !Boolean.FALSE.equals(attributes.get("value"));
        int further = Binder.get(context.getEnvironment())
                .bind(PROPERTY, Bindable.mapOf(String.class, LeaderElectionProperties.Election.class))
                .map(Map::size)
                .orElse(0);
        String found = further == 0 ? "no further elections under " + PROPERTY : further + " under " + PROPERTY;
        return (further > 0) == wanted ? ConditionOutcome.match(found) : ConditionOutcome.noMatch(found);
    }
}
