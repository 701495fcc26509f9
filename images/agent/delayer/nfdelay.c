/*
 * emunet-nfdelay: a userspace link delayer on an NFQUEUE, for kernels without sch_netem.
 *
 *   emunet-nfdelay --queue N --config FILE
 *
 * Every packet the kernel queues to us is either dropped at once (loss, or more than `limit`
 * held), accepted at once (netem-style reorder), or held until its release time and then
 * accepted. Packets are released in arrival order: release = max(own due time, release of
 * the packet before it), so jitter never reorders (netem with a FIFO child behaves alike).
 *
 * The config file holds key=value lines ('#' starts a comment); every key is optional:
 *   delay_us, jitter_us        added delay and its spread, microseconds (default 0)
 *   distribution               normal (default) | uniform | pareto | paretonormal
 *   delay_correlation          percent, netem's correlated random for the delay
 *   loss, loss_correlation     percent (fractions allowed), netem's simple correlated loss
 *   reorder                    percent of packets sent at once, ahead of the held ones
 *   limit                      most packets held at once (default 10000); more are dropped
 *   seed                       uint64 seed of the PRNG (0 means 1)
 * It is re-read on SIGHUP: held packets keep their release times, new ones use the new
 * values, and the PRNG is re-seeded only when `seed` changed. SIGUSR1 prints statistics;
 * SIGTERM/SIGINT accept every held packet, print statistics and exit 0.
 *
 * Random draws per packet, in netem's order: loss (only if loss > 0), then reorder (only if
 * reorder > 0), then delay (only if jitter_us > 0). So the same seed and the same arrival
 * sequence give the same drops, whatever the timing.
 *
 * Distributions reproduce the continuous curves from which iproute2 builds netem's tables
 * (normal.c, pareto.c, paretonormal.c), evaluated exactly instead of through a 4096-entry
 * table, with the same +/-4 sigma clipping the tables' int16 entries impose:
 *   uniform:      delay + jitter * (2u - 1)
 *   normal:       delay + jitter * clip4(invPhi(u))
 *   pareto:       delay + jitter * clip4(((1-u)^(-1/3) - 1.5) * 4/3)   (alpha 3, mean 0)
 *   paretonormal: delay + jitter * clip4((clip4(invPhi(u)) + 3 * pareto(u)) / 4)
 * where u is the (possibly correlated) uniform draw; the result is clamped at >= 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define MAX_DELAY_US 3600000000ULL /* one hour: keeps nanosecond sums far from overflow */
#define MAX_LIMIT 1000000U
#define RCVBUF_BYTES (8 << 20)
/* Messages read per wakeup before due verdicts are issued again, so that a flood of
 * arrivals cannot postpone releases. */
#define READ_BUDGET 256

enum distribution { DIST_NORMAL, DIST_UNIFORM, DIST_PARETO, DIST_PARETONORMAL };
static const char *const dist_names[] = { "normal", "uniform", "pareto", "paretonormal" };

struct config {
	uint64_t delay_us, jitter_us, seed;
	enum distribution dist;
	double delay_corr, loss, loss_corr, reorder; /* fractions in [0, 1] */
	uint32_t limit;
};

struct held { uint32_t id; int64_t release_ns; };

struct stats {
	uint64_t received, accepted, dropped_loss, dropped_limit, max_held, enobufs;
};

struct delayer {
	struct config cfg;
	uint64_t rng[4];
	double delay_last, loss_last; /* netem's correlation state ("last" value) */
	struct held *ring;            /* FIFO of held packets; release times never decrease */
	uint32_t cap, head, count;
	int64_t last_release_ns;
	int64_t now_ns; /* arrival time of the message being handled */
	uint32_t last_id; /* highest id seen: the exit path accepts everything up to it */
	struct nfq_q_handle *qh;
	unsigned queue;
	struct stats st;
};

/* The only global state: what the signal handlers tell the main loop. */
static volatile sig_atomic_t got_hup, got_usr1, got_term;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- PRNG: xoshiro256** seeded through splitmix64, as its authors recommend ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(uint64_t s[4], uint64_t seed)
{
	uint64_t x = seed ? seed : 1;
	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(uint64_t s[4])
{
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_uniform(uint64_t s[4]) { return (double)(rng_next(s) >> 11) * 0x1.0p-53; }

/* netem's get_crandom(): next = (1 - c) * fresh + c * last. Like netem this narrows the
 * distribution towards 0.5 as c grows, so a correlated loss rate is not exactly `loss`. */
static double correlated(struct delayer *d, double *last, double c)
{
	double u = rng_uniform(d->rng);
	if (c <= 0)
		return u;
	*last = (1 - c) * u + c * *last;
	return *last;
}

/* ---- delay distributions (see the header comment) ---- */

static double clip4(double x) { return x < -4 ? -4 : x > 4 ? 4 : x; }

/* Inverse of the standard normal CDF (P. J. Acklam's rational approximation, rel. error
 * < 1.2e-9): far finer than netem's table steps. */
static double inv_phi(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
				    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
				    6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
				    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
	static const double e[] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
				    3.754408661907416e+00 };
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425 || p > 1 - 0.02425) {
		double q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
		double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
			   ((((e[0] * q + e[1]) * q + e[2]) * q + e[3]) * q + 1);
		return p < 0.5 ? x : -x;
	}
	double q = p - 0.5, r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static double pareto(double u) { return clip4((1 / cbrt(1 - u) - 1.5) * 4 / 3); }

static int64_t draw_delay_ns(struct delayer *d)
{
	const struct config *c = &d->cfg;
	double mu = (double)c->delay_us * 1000, sigma = (double)c->jitter_us * 1000, t;
	if (c->jitter_us == 0)
		return (int64_t)mu; /* netem's tabledist() draws nothing when sigma is 0 */
	double u = correlated(d, &d->delay_last, c->delay_corr);
	switch (c->dist) {
	case DIST_UNIFORM: t = 2 * u - 1; break;
	case DIST_PARETO: t = pareto(u); break;
	case DIST_PARETONORMAL: t = clip4((clip4(inv_phi(u)) + 3 * pareto(u)) / 4); break;
	default: t = clip4(inv_phi(u)); break;
	}
	double v = mu + sigma * t;
	return v > 0 ? (int64_t)v : 0;
}

/* ---- configuration ---- */

static int bad(char *err, size_t n, const char *key, const char *val, const char *why)
{
	snprintf(err, n, "invalid value for %s: '%s' (%s)", key, val, why);
	return -1;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9') /* strtoull would accept "-1" and " 1" */
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_percent(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 100)) /* also rejects NaN */
		return -1;
	*out = v / 100;
	return 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* Fills *out from the file; on error leaves a message naming the key and value in err. */
static int load_config(const char *path, struct config *out, char *err, size_t n)
{
	struct config c = { .dist = DIST_NORMAL, .limit = 10000 };
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, n, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t len = 0;
	int rc = 0, lineno = 0;
	while (rc == 0 && getline(&line, &len, f) >= 0) {
		lineno++;
		char *hash = strchr(line, '#'), *eq, *key, *val;
		if (hash)
			*hash = 0;
		key = trim(line);
		if (!*key)
			continue;
		if (!(eq = strchr(key, '='))) {
			snprintf(err, n, "%s:%d: expected key=value, got '%s'", path, lineno, key);
			rc = -1;
			break;
		}
		*eq = 0;
		key = trim(key);
		val = trim(eq + 1);
		uint64_t u;
		if (!strcmp(key, "delay_us") || !strcmp(key, "jitter_us")) {
			if (parse_u64(val, MAX_DELAY_US, &u))
				rc = bad(err, n, key, val, "integer microseconds, 0..3600000000");
			else
				*(key[0] == 'd' ? &c.delay_us : &c.jitter_us) = u;
		} else if (!strcmp(key, "distribution")) {
			int i = 0;
			while (i < 4 && strcmp(val, dist_names[i]))
				i++;
			if (i == 4)
				rc = bad(err, n, key, val, "normal, uniform, pareto or paretonormal");
			else
				c.dist = (enum distribution)i;
		} else if (!strcmp(key, "delay_correlation") || !strcmp(key, "loss") ||
			   !strcmp(key, "loss_correlation") || !strcmp(key, "reorder")) {
			double *dst = !strcmp(key, "loss") ? &c.loss : !strcmp(key, "reorder") ? &c.reorder
				    : key[0] == 'd' ? &c.delay_corr : &c.loss_corr;
			if (parse_percent(val, dst))
				rc = bad(err, n, key, val, "percent, 0..100");
		} else if (!strcmp(key, "limit")) {
			if (parse_u64(val, MAX_LIMIT, &u) || u == 0)
				rc = bad(err, n, key, val, "packets, 1..1000000");
			else
				c.limit = (uint32_t)u;
		} else if (!strcmp(key, "seed")) {
			if (parse_u64(val, UINT64_MAX, &u))
				rc = bad(err, n, key, val, "unsigned 64-bit integer");
			else
				c.seed = u;
		} else {
			snprintf(err, n, "unknown key '%s' (value '%s')", key, val);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	if (rc == 0)
		*out = c;
	return rc;
}

/* The ring only grows: a lowered limit applies to new arrivals, held packets stay. */
static int ensure_capacity(struct delayer *d, uint32_t want)
{
	if (want <= d->cap)
		return 0;
	struct held *ring = malloc(sizeof *ring * want);
	if (!ring)
		return -1;
	for (uint32_t i = 0; i < d->count; i++)
		ring[i] = d->ring[(d->head + i) % d->cap];
	free(d->ring);
	d->ring = ring;
	d->cap = want;
	d->head = 0;
	return 0;
}

/* The kernel queue must never be the one that drops: our `limit` decides, and unread
 * messages in the socket also occupy the kernel queue. */
static void set_kernel_maxlen(struct delayer *d)
{
	if (nfq_set_queue_maxlen(d->qh, d->cfg.limit * 2 + 4096) < 0)
		fprintf(stderr, "emunet-nfdelay: cannot set queue maxlen: %s\n", strerror(errno));
}

static void reload(struct delayer *d, const char *path)
{
	struct config c;
	char err[512];
	if (load_config(path, &c, err, sizeof err)) {
		fprintf(stderr, "emunet-nfdelay: %s; keeping the previous config\n", err);
		return;
	}
	if (ensure_capacity(d, c.limit)) {
		fprintf(stderr, "emunet-nfdelay: out of memory for limit %" PRIu32 "; keeping the previous config\n", c.limit);
		return;
	}
	if (c.seed != d->cfg.seed)
		rng_seed(d->rng, c.seed);
	bool maxlen = c.limit != d->cfg.limit;
	d->cfg = c;
	if (maxlen)
		set_kernel_maxlen(d);
	fprintf(stderr, "emunet-nfdelay: config reloaded (delay_us=%" PRIu64 " jitter_us=%" PRIu64 " loss=%g%%)\n",
		c.delay_us, c.jitter_us, c.loss * 100);
}

/* ---- packets ---- */

static void verdict(struct delayer *d, uint32_t id, uint32_t v)
{
	nfq_set_verdict(d->qh, id, v, 0, NULL);
	if (v == NF_ACCEPT)
		d->st.accepted++;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *arg)
{
	struct delayer *d = arg;
	const struct config *c = &d->cfg;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	(void)qh;
	(void)msg;
	if (!ph)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	d->st.received++;
	d->last_id = id;

	if (c->loss > 0 && correlated(d, &d->loss_last, c->loss_corr) < c->loss) {
		verdict(d, id, NF_DROP);
		d->st.dropped_loss++;
		return 0;
	}
	if (d->count >= c->limit) {
		verdict(d, id, NF_DROP);
		d->st.dropped_limit++;
		return 0;
	}
	if (c->reorder > 0 && rng_uniform(d->rng) < c->reorder) {
		verdict(d, id, NF_ACCEPT);
		return 0;
	}
	int64_t release = d->now_ns + draw_delay_ns(d);
	if (release < d->last_release_ns)
		release = d->last_release_ns;
	d->last_release_ns = release;
	d->ring[(d->head + d->count) % d->cap] = (struct held){ id, release };
	if (++d->count > d->st.max_held)
		d->st.max_held = d->count;
	return 0;
}

/* Accepts every held packet due by `now` with ONE batch verdict: the kernel accepts all
 * queued ids up to the given one, and every earlier id is either released with it (FIFO)
 * or already had its verdict. As a bonus, a packet whose message was lost to ENOBUFS is
 * released by the next batch instead of staying stuck in the kernel queue. */
static void release_due(struct delayer *d, int64_t now)
{
	uint32_t n = 0, id = 0;
	while (d->count && d->ring[d->head].release_ns <= now) {
		id = d->ring[d->head].id;
		d->head = (d->head + 1) % d->cap;
		d->count--;
		n++;
	}
	if (n) {
		nfq_set_verdict_batch(d->qh, id, NF_ACCEPT);
		d->st.accepted += n;
	}
}

/* Reads what the socket holds, up to READ_BUDGET messages; returns true if more may wait. */
static bool drain(struct delayer *d, struct nfq_handle *h, int fd)
{
	char buf[65536] __attribute__((aligned));
	for (int i = 0; i < READ_BUDGET; i++) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return false;
			if (errno == ENOBUFS) /* the kernel dropped messages: count, never die */
				d->st.enobufs++;
			else if (errno != EINTR) {
				fprintf(stderr, "emunet-nfdelay: recv: %s\n", strerror(errno));
				return false;
			}
			continue;
		}
		d->now_ns = now_ns();
		nfq_handle_packet(h, buf, (int)n);
	}
	return true;
}

static void print_stats(const struct delayer *d)
{
	const struct stats *s = &d->st;
	printf("{\"event\":\"stats\",\"queue\":%u,\"received\":%" PRIu64 ",\"accepted\":%" PRIu64
	       ",\"dropped_loss\":%" PRIu64 ",\"dropped_limit\":%" PRIu64 ",\"max_held\":%" PRIu64
	       ",\"enobufs\":%" PRIu64 "}\n",
	       d->queue, s->received, s->accepted, s->dropped_loss, s->dropped_limit, s->max_held, s->enobufs);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: emunet-nfdelay --queue N --config FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct delayer d = { .queue = UINT_MAX };
	const char *config_path = NULL;
	uint64_t q;
	int o;
	while ((o = getopt_long(argc, argv, "q:c:h", opts, NULL)) != -1) {
		if (o == 'q' && parse_u64(optarg, 65535, &q) == 0)
			d.queue = (unsigned)q;
		else if (o == 'c')
			config_path = optarg;
		else
			usage();
	}
	if (d.queue == UINT_MAX || !config_path || optind != argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	char err[512];
	if (load_config(config_path, &d.cfg, err, sizeof err)) {
		fprintf(stderr, "emunet-nfdelay: %s\n", err);
		return 2;
	}
	rng_seed(d.rng, d.cfg.seed);
	if (ensure_capacity(&d, d.cfg.limit)) {
		fprintf(stderr, "emunet-nfdelay: out of memory\n");
		return 1;
	}

	/* Signals stay blocked except inside ppoll(), so a flag can never be set between the
	 * check and the sleep (the classic race ppoll exists to close). */
	static const int handled[] = { SIGHUP, SIGUSR1, SIGTERM, SIGINT };
	sigset_t blocked, during_wait;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&blocked);
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++) {
		sigaddset(&blocked, handled[i]);
		sigaction(handled[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &blocked, &during_wait);
	signal(SIGPIPE, SIG_IGN); /* a vanished reader of stdout must not take the link down */

	/* The default 50 us timer slack would be added to every release. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	struct nfq_handle *h = nfq_open();
	if (!h) {
		fprintf(stderr, "emunet-nfdelay: nfq_open: %s\n", strerror(errno));
		return 1;
	}
	d.qh = nfq_create_queue(h, (uint16_t)d.queue, on_packet, &d);
	if (!d.qh) {
		fprintf(stderr, "emunet-nfdelay: cannot bind queue %u: %s\n", d.queue, strerror(errno));
		return 1;
	}
	/* Metadata only: we never look at payloads, so copying them would be pure cost. */
	if (nfq_set_mode(d.qh, NFQNL_COPY_META, 0) < 0) {
		fprintf(stderr, "emunet-nfdelay: cannot set copy mode: %s\n", strerror(errno));
		return 1;
	}
	/* GSO super-packets are queued whole, as netem sees them: one verdict, one loss draw. */
	nfq_set_queue_flags(d.qh, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
	set_kernel_maxlen(&d);
	int fd = nfq_fd(h), rcvbuf = RCVBUF_BYTES;
	/* FORCE goes past net.core.rmem_max (we hold CAP_NET_ADMIN); fall back if refused. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

	printf("{\"event\":\"ready\",\"queue\":%u}\n", d.queue);
	fflush(stdout);

	bool more = false;
	int rc = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	while (!got_term) {
		if (got_hup) {
			got_hup = 0;
			reload(&d, config_path);
		}
		if (got_usr1) {
			got_usr1 = 0;
			print_stats(&d);
		}
		/* Sleep until the earliest release, or until a packet or signal arrives. */
		struct timespec ts = { 0, 0 }, *timeout = NULL;
		if (more) {
			timeout = &ts;
		} else if (d.count) {
			int64_t wait = d.ring[d.head].release_ns - now_ns();
			if (wait > 0)
				ts = (struct timespec){ wait / 1000000000, wait % 1000000000 };
			timeout = &ts;
		}
		int r = ppoll(&pfd, 1, timeout, &during_wait);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "emunet-nfdelay: ppoll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		more = r > 0 && drain(&d, h, fd);
		release_due(&d, now_ns());
	}

	/* Leaving: read what is still waiting, then let every held packet go at once. */
	while (drain(&d, h, fd))
		;
	if (d.count) {
		nfq_set_verdict_batch(d.qh, d.last_id, NF_ACCEPT);
		d.st.accepted += d.count;
		d.count = 0;
	}
	print_stats(&d);
	nfq_destroy_queue(d.qh);
	nfq_close(h);
	free(d.ring);
	return rc;
}
