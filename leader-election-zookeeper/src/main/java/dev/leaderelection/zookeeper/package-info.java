/**
 * The ZooKeeper lease store on Apache Curator: an ephemeral node per lease that lives no longer than
 * its holder's session, fencing tokens kept in a persistent node and floored at the server's clock,
 * and a persistent watch per election that wakes followers.
 */
@NullMarked
package dev.leaderelection.zookeeper;

import org.jspecify.annotations.NullMarked;
