package io.lionfuncs.autoconfigure.event;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.BeanFactoryUtils;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.context.event.GenericApplicationListenerAdapter;
import org.springframework.context.event.SimpleApplicationEventMulticaster;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * Whether an application context has a listener that may receive events of one type and
 * source type, so that a publisher can skip making events nobody would receive. It asks
 * each listener the question the context's event multicaster asks it, and answers
 * "maybe" whenever it cannot tell:
 * <ul>
 * <li>until {@link #check()} has run (call it once the context is refreshed);</li>
 * <li>when the context has a parent (whose listeners receive its events too) or an event
 * multicaster other than Spring's default one;</li>
 * <li>when a listener bean is not a created singleton (a lazy or prototype bean, or a
 * factory bean's product);</li>
 * <li>from the moment listeners are added to or removed from the context until it has
 * looked at them again, which the next {@link #mayHaveListener()} does.</li>
 * </ul>
 * A change is noticed by the number of the context's listener instances, which is cheap
 * enough to read at every question: a listener removed and another added between two
 * questions goes unnoticed until the next refresh. Lazy and non-singleton listener beans
 * never reach that count, and count as listeners from the start.
 */
final class EventListenerPresence {

	private static final int NOT_CHECKED = -1;

	private final AbstractApplicationContext context;

	private final ResolvableType eventType;

	private final Class<?> sourceType;

	// The number of listeners the context held when last checked; written after the answer.
	private volatile int checkedListenerCount = NOT_CHECKED;

	private volatile boolean listenerFound = true;

	EventListenerPresence(AbstractApplicationContext context, ResolvableType eventType, Class<?> sourceType) {
		this.context = context;
		this.eventType = eventType;
		this.sourceType = sourceType;
	}

	/**
	 * Whether a listener may receive an event of the type.
	 * @return {@code false} only when no listener of the context can receive it
	 */
	boolean mayHaveListener() {
		int checked = this.checkedListenerCount;
		if (checked == NOT_CHECKED) {
			return true;
		}
		if (this.context.getApplicationListeners().size() != checked) {
			// Listeners were added or removed since: look again.
			check();
		}
		return this.listenerFound;
	}

	/**
	 * Looks at the context's listeners.
	 */
	synchronized void check() {
		// Counted first: a listener added while looking changes the count, so the next
		// question looks again.
		int count = this.context.getApplicationListeners().size();
		boolean found;
		try {
			found = this.context.getParent() != null || !hasDefaultMulticaster() || anyListenerInstance()
					|| anyListenerBean();
		}
		catch (RuntimeException ex) {
			// The listeners changed while being looked at, or a bean could not be asked.
			found = true;
		}
		this.listenerFound = found;
		this.checkedListenerCount = count;
	}

	private boolean hasDefaultMulticaster() {
		ConfigurableListableBeanFactory beanFactory = this.context.getBeanFactory();
		Object multicaster = beanFactory
			.getSingleton(AbstractApplicationContext.APPLICATION_EVENT_MULTICASTER_BEAN_NAME);
		return multicaster != null && multicaster.getClass() == SimpleApplicationEventMulticaster.class;
	}

	/**
	 * Listeners added to the context as instances, {@code @EventListener} methods among
	 * them.
	 */
	private boolean anyListenerInstance() {
		List<ApplicationListener<?>> listeners = new ArrayList<>(this.context.getApplicationListeners());
		for (ApplicationListener<?> listener : listeners) {
			if (supports(listener)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Listener beans, which the context registers with its multicaster by name.
	 */
	private boolean anyListenerBean() {
		ConfigurableListableBeanFactory beanFactory = this.context.getBeanFactory();
		for (String name : beanFactory.getBeanNamesForType(ApplicationListener.class, true, false)) {
			// A name with the factory prefix is a factory bean listening itself, kept under
			// the plain name; a plain name whose singleton is a factory bean is its product.
			boolean factoryItself = BeanFactoryUtils.isFactoryDereference(name);
			String beanName = BeanFactoryUtils.transformedBeanName(name);
			Object bean = beanFactory.containsSingleton(beanName) ? beanFactory.getSingleton(beanName) : null;
			if ((bean instanceof FactoryBean<?> && !factoryItself) || !(bean instanceof ApplicationListener<?> listener)
					|| supports(listener)) {
				return true;
			}
		}
		return false;
	}

	private boolean supports(ApplicationListener<?> listener) {
		GenericApplicationListener generic = (listener instanceof GenericApplicationListener genericListener)
				? genericListener : new GenericApplicationListenerAdapter(listener);
		return generic.supportsEventType(this.eventType) && generic.supportsSourceType(this.sourceType);
	}

}
