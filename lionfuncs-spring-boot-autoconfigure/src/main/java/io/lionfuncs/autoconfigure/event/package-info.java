/**
 * The application events of lionfuncs that Spring listeners receive: request status
 * changes, executor pauses and connection events, with the listeners that republish them.
 */
@NullMarked
package io.lionfuncs.autoconfigure.event;

import org.jspecify.annotations.NullMarked;
