package io.seatwatch.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A collection page: {@code nextCursor} is absent on the last page. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String nextCursor) {}
