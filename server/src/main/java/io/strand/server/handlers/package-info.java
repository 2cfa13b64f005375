/**
 * One class per Kafka API. Each reads the generated {@code *RequestData}, asks the replica layer or
 * the coordinator, and returns a stage of the generated {@code *ResponseData}. Handlers run on
 * request-handler threads; ZooKeeper work goes to the broker's blocking pool.
 */
package io.strand.server.handlers;
