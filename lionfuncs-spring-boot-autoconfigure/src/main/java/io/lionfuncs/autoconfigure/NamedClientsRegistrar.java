package io.lionfuncs.autoconfigure;

import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one bean per client under {@code lionfuncs.clients.<name>}, made by a
 * factory bean and injectable with {@code @Qualifier("<name>")}: an {@link Executor}
 * named {@code lionfuncsExecutor.<name>} (this class) and, when the client support is
 * present, an {@link AsyncApiClient} named {@code lionfuncsClient.<name>}
 * ({@link Clients}). The beans are fallbacks: injection by type alone picks the default
 * bean (or the application's own), and a named bean only when it is the only candidate.
 *
 * @since 0.1.0
 */
class NamedClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

	static final String EXECUTOR_BEAN_PREFIX = "lionfuncsExecutor.";

	static final String CLIENT_BEAN_PREFIX = "lionfuncsClient.";

	private final String beanPrefix;

	private final Class<?> type;

	private final String factoryBean;

	private Environment environment;

	NamedClientsRegistrar() {
		this(EXECUTOR_BEAN_PREFIX, Executor.class, "lionfuncsExecutorFactory");
	}

	NamedClientsRegistrar(String beanPrefix, Class<?> type, String factoryBean) {
		this.beanPrefix = beanPrefix;
		this.type = type;
		this.factoryBean = factoryBean;
	}

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		for (String name : clientNames(this.environment)) {
			register(registry, this.beanPrefix + name, this.type, this.factoryBean, "createNamed", name);
		}
	}

	/**
	 * Registers an {@link AsyncApiClient} per named client.
	 */
	static class Clients extends NamedClientsRegistrar {

		Clients() {
			super(CLIENT_BEAN_PREFIX, AsyncApiClient.class, "lionfuncsClientFactory");
		}

	}

	static Iterable<String> clientNames(Environment environment) {
		Map<String, LionfuncsProperties.NamedClient> clients = Binder.get(environment)
			.bind("lionfuncs.clients", Bindable.mapOf(String.class, LionfuncsProperties.NamedClient.class))
			.orElse(Map.of());
		if (clients.containsKey("default")) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.clients.default", "default",
					"another name: 'default' is the client configured under lionfuncs.client");
		}
		return clients.keySet();
	}

	static void register(BeanDefinitionRegistry registry, String beanName, Class<?> type, String factoryBean,
			String factoryMethod, String name) {
		if (registry.containsBeanDefinition(beanName)) {
			return;
		}
		RootBeanDefinition definition = new RootBeanDefinition(type);
		definition.setFactoryBeanName(factoryBean);
		definition.setFactoryMethodName(factoryMethod);
		definition.getConstructorArgumentValues().addGenericArgumentValue(name);
		definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
		definition.setFallback(true);
		definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
		registry.registerBeanDefinition(beanName, definition);
	}

}
