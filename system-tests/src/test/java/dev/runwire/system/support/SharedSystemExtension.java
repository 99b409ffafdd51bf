package dev.runwire.system.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.util.List;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

import dev.runwire.system.support.SystemUnderTest.Owner;

/**
 * Fills in what a test class takes from {@link SharedSystem} and what it gets of its own: static fields and parameters
 * annotated {@link SharedApi}, {@link SharedExecutor}, {@link SharedTopics}, {@link NewStub} and {@link NewOwner}.
 * Those annotations register this extension, so a test class only declares what it uses. Static fields are filled
 * before the class's {@code @BeforeAll} methods run, shared processes first, then stubs, then owners; a stub is closed
 * when the class (for a field) or the test (for a parameter) is done.
 */
public final class SharedSystemExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
            .create(SharedSystemExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Class<?> testClass = context.getRequiredTestClass();
        // registered once per annotated field: the fields are filled once
        if (context.getStore(NAMESPACE).get(testClass) != null) {
            return;
        }
        context.getStore(NAMESPACE).put(testClass, Boolean.TRUE);
        for (Field field : fields(testClass, SharedApi.class, ServiceProcess.class)) {
            set(field, SharedSystem.api());
        }
        for (Field field : fields(testClass, SharedExecutor.class, ServiceProcess.class)) {
            set(field, SharedSystem.executor());
        }
        for (Field field : fields(testClass, SharedTopics.class, IsolatedTopics.class)) {
            set(field, SharedSystem.topics());
        }
        List<Field> stubs = fields(testClass, NewStub.class, Stub.class);
        for (Field field : stubs) {
            set(field, newStub(context, field.getName(), field.getAnnotation(NewStub.class)));
        }
        for (Field field : fields(testClass, NewOwner.class, Owner.class)) {
            set(field, newOwner(field.getAnnotation(NewOwner.class), stubs, field));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.isAnnotated(SharedApi.class) || parameter.isAnnotated(SharedExecutor.class)
                || parameter.isAnnotated(SharedTopics.class) || parameter.isAnnotated(NewStub.class)
                || parameter.isAnnotated(NewOwner.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Parameter declared = parameter.getParameter();
        if (parameter.isAnnotated(SharedApi.class)) {
            return expect(declared, ServiceProcess.class, SharedSystem.api());
        }
        if (parameter.isAnnotated(SharedExecutor.class)) {
            return expect(declared, ServiceProcess.class, SharedSystem.executor());
        }
        if (parameter.isAnnotated(SharedTopics.class)) {
            return expect(declared, IsolatedTopics.class, SharedSystem.topics());
        }
        if (parameter.isAnnotated(NewStub.class)) {
            expect(declared, Stub.class, null);
            return newStub(context, declared.getName() + "#" + parameter.getIndex(),
                    parameter.findAnnotation(NewStub.class).orElseThrow());
        }
        NewOwner annotation = parameter.findAnnotation(NewOwner.class).orElseThrow();
        expect(declared, Owner.class, null);
        if (annotation.actions().length > 0) {
            throw new ParameterResolutionException(declared + ": a parameter's @NewOwner takes no actions");
        }
        return SystemUnderTest.owner(SharedSystem.api());
    }

    /** A new stub; the store of {@code context} closes it (it is AutoCloseable) when the class or the test is done. */
    private static Stub newStub(ExtensionContext context, String name, NewStub annotation) {
        return context.getStore(NAMESPACE).computeIfAbsent(context.getUniqueId() + "/stub/" + name, key -> {
            try {
                return new Stub(annotation.host());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Stub.class);
    }

    private static Owner newOwner(NewOwner annotation, List<Field> stubs, Field field) throws IllegalAccessException {
        ServiceProcess api = SharedSystem.api();
        if (annotation.actions().length == 0) {
            return SystemUnderTest.owner(api);
        }
        if (stubs.size() != 1) {
            throw new ExtensionConfigurationException(
                    field + ": @NewOwner with actions needs exactly one @NewStub field, found " + stubs.size());
        }
        return SystemUnderTest.ownerWithActions(api, (Stub) stubs.get(0).get(null), annotation.actions());
    }

    private static List<Field> fields(Class<?> testClass, Class<? extends Annotation> annotation, Class<?> type) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, annotation);
        for (Field field : fields) {
            if (!ModifierSupport.isStatic(field) || field.getType() != type) {
                throw new ExtensionConfigurationException(field + ": @" + annotation.getSimpleName()
                        + " goes on a static field of type " + type.getSimpleName());
            }
        }
        return fields;
    }

    private static void set(Field field, Object value) throws IllegalAccessException {
        field.setAccessible(true);
        field.set(null, value);
    }

    private static <T> T expect(Parameter parameter, Class<T> type, T value) {
        if (parameter.getType() != type) {
            throw new ParameterResolutionException(
                    parameter + ": expected a parameter of type " + type.getSimpleName());
        }
        return value;
    }
}
