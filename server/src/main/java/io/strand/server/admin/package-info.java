/**
 * The broker's side of the admin APIs: {@link io.strand.server.admin.AdminService} runs the
 * coordinator's admin operations off the request threads, {@link io.strand.server.admin.ConfigDescriber}
 * answers DescribeConfigs for topics and brokers, and {@link io.strand.server.admin.AdminErrors} turns
 * failures into Kafka error codes and messages.
 */
package io.strand.server.admin;
