/* The fully connected network: layout of its buffers, forward and backward passes.
 * Parameters, gradients and activations each live in one contiguous buffer with
 * per-layer views into it (llm.c style); of the activations only z (and with --norm the
 * norm's output u and statistics) is kept. The passes walk a sequence of ops, each a layer
 * kind (dense, norm, act, resid) applied to one layer's views. Backprop keeps a
 * power-of-two scale per layer (DESIGN.md §3): gradients are stored scaled by 2^-e2 and
 * are exact beyond the dtype's range; the optimiser applies the scale. */
#ifndef GT_NET_H
#define GT_NET_H

#include "act.h"
#include "common.h"
#include "config.h"
#include "dataset.h"
#include "init.h"
#include "norm.h"
#include "rng.h"

typedef struct {
    size_t fan_in, fan_out;
    void *W;   /* (fan_in, fan_out) in params: z = a.W + b */
    void *b;   /* (fan_out) in params */
    void *dW;  /* (fan_in, fan_out) in grads, scaled: dL/dW = dW * 2^e2 */
    void *db;  /* (fan_out) in grads, scaled likewise */
    void *z;   /* (batch, fan_out) dense outputs in acts */
    void *u;   /* (batch, fan_out) the activation's input, outputs a = f(u): net_act; with
                * --norm the norm layer's output in acts, else u == z */
    void *gamma, *beta;   /* (fan_out) in params, hidden layers with norm; NULL otherwise */
    void *dgamma, *dbeta; /* (fan_out) in grads, scaled: dL/dgamma = dgamma * 2^e2n */
    void *mu, *rstd;      /* norm_stat_len in acts: the statistics of the last forward */
    void *run_mean, *run_var; /* (fan_out) in running, batch norm only */
    const void *in; /* (batch, fan_in): what z reads: x, the layer below's a = f(u) (in
                     * abuf) or its stream h */
    void *h;   /* (batch, fan_out) in acts, residual nets only, on stream layers (hidden
                * layer 1 and every block's last layer): the stream h the next layer and
                * the skip read; NULL elsewhere */
    const void *skip; /* (batch, fan_out): a block's last layer, the stream h its block
                       * adds to (the layer K below's); NULL elsewhere */
    int e2;          /* scale exponent of this layer's delta and gradients (last backward) */
    int e2n;         /* scale exponent of dgamma and dbeta (last backward) */
    double delta_ss; /* sum over the batch of ||scaled delta||^2 (last backward) */
    size_t n_sat;    /* entries with f'(u) < 0.01 max f' (last backward; 0 for the output) */
} Layer;

/* The layer kinds, each a row of net.c's table with a forward and a backward free function
 * over one layer's views: dense z = in.W + b; norm u = norm(z); act a = f(u); resid the
 * stream h = a (hidden layer 1) or h = skip + alpha * a (a block's last layer). */
typedef enum { LK_DENSE, LK_NORM, LK_ACT, LK_RESID, LK_COUNT } LayerKindId;

/* One step of the net: kind applied to layer `layer`. net_create builds the sequence from
 * the NetSpec, per layer in this order: dense, [norm], act, [resid] (the output layer:
 * dense only); forward walks it up, backward down. */
typedef struct {
    LayerKindId kind;
    int layer;
} NetOp;

typedef struct {
    Dtype dtype;
    int nlayers;        /* hidden layers + 1 (the output layer) */
    NetOp *ops;         /* [nops] */
    int nops;
    size_t batch;       /* rows the activation buffers hold */
    size_t in_dim, out_dim, max_width;
    const Act *act;
    ActParams ap;
    double sat_thr;     /* 0.01 * sup f' */
    ActDead dead;       /* where f'(z) = 0 exactly: no gradient passes (act.h) */
    Layer *layers;      /* [nlayers] */
    size_t nparams;
    void *params;       /* nparams: W1 b1 W2 b2 ... */
    void *grads;        /* nparams, same layout */
    void *acts;         /* x, then z of every layer: the minimum backprop needs */
    void *x;            /* (batch, in_dim) in acts */
    void *dbuf[2];      /* (batch, max_width) each: delta ping-pong during backward */
    void *abuf[2];      /* (batch, max_width) each: outputs of layers l with l % 2 == k */
    int abuf_layer[2];  /* the layer whose outputs abuf[k] holds (-1: none) ... */
    size_t abuf_rows[2]; /* ... for this many rows, from the current z */
    int nonfinite;      /* the last backward met Inf/NaN */
    int resid_k;        /* layers per residual block (0: plain net) */
    double resid_scale; /* alpha: a block maps h to h + alpha * F(h) */
    void *gbuf;         /* (batch, max_width), residual nets: dL/dh of the stream, scaled
                         * during backward (its scale in net.c's NetPass) */
    NormKind norm;      /* on every hidden layer, between z and the activation */
    double norm_eps;
    size_t nrunning;
    void *running;      /* nrunning: batch norm's running mean and var of every hidden layer */
    double *norm_acc;   /* 2 * max_width doubles: the norm layers' scratch */
} Net;

/* Residual nets (resid_k = K > 0): hidden layer 1 (l = 0) maps the input to the width;
 * layers l = 1 .. nlayers-2 form blocks of K, the block ending at layer l reads the
 * stream h of layer l - K and writes h_l = h_{l-K} + alpha * f(u_l); the output layer
 * reads the last stream. Stream layers are l = 0 and the blocks' last layers. */
static inline int net_is_stream(const Net *n, int l) { return n->layers[l].h != NULL; }
static inline int net_block_end(const Net *n, int l) { return n->layers[l].skip != NULL; }

typedef struct {
    Dtype dtype;
    size_t in_dim, width, out_dim, batch;
    long depth;
    ActKind act;
    ActParams ap;
    long resid_k;        /* residual blocks of K layers (0: plain); K divides depth - 1 */
    double resid_scale;  /* alpha of the residual blocks */
    NormKind norm;       /* normalization of every hidden layer */
    double norm_eps;
} NetSpec;

/* Bytes net_create would allocate (saturates at SIZE_MAX on overflow). */
size_t net_bytes(const NetSpec *s);
int net_create(Net *n, const NetSpec *s, GtErr *e);
void net_free(Net *n);
int net_init_params(Net *n, InitKind k, double sigma_w2, double sigma_b2, Rng *r, GtErr *e);

/* Copies rows idx[0..m) of d (or rows first..first+m when idx is NULL) into x; m <= batch. */
void net_load_input(Net *n, const Dataset *d, const uint32_t *idx, size_t first, size_t m);
/* Training forward: batch norm normalises with the batch's statistics and updates the
 * running ones. net_forward_eval: batch norm uses the running statistics (evaluation, the
 * census), each sample on its own. Without batch norm the two are the same. */
void net_forward(Net *n, size_t m);
void net_forward_eval(Net *n, size_t m);
/* Layer l's norm layer (hidden layers, n->norm != NORM_NONE). */
NormView net_norm_view(const Net *n, int l);
/* Outputs a = f(u) of layer l for the first m rows, from the u of the last forward pass.
 * The net keeps z and u only (the arithmetic minimum for backprop) and computes a into
 * abuf[l % 2] when that does not hold it already, so the pointer stays valid until
 * net_act is called for another layer of the same parity or the next forward pass.
 * The output layer's outputs are its z (the logits). */
const void *net_act(Net *n, int l, size_t m);
/* Loss of the first m rows against labels y (batch mean, in double); counts correct
 * argmax predictions. With want_delta, writes dl/dz of the output layer (per sample) into
 * dbuf[0] to start backward. Returns NaN/Inf when the logits are not finite. */
double net_loss(Net *n, LossKind k, const int32_t *y, size_t m, size_t *correct, int want_delta);
/* Called by net_backward, from the output layer down, as soon as layer l is done: its dW,
 * db, dgamma, dbeta, e2, e2n, n_sat (and delta_ss) are final and backward reads none of
 * layer l's buffers again, so the callee may reduce them and update W, b, gamma and beta
 * while they are still in cache. */
typedef void (*NetLayerDone)(void *ctx, Net *n, int l);
/* During done(ctx, n, l): layer l's delta B * dL/dz (per sample dl/dz without batch norm),
 * (m, fan_out), stored scaled like its gradients (true delta = value * 2^e2); the next
 * layer down overwrites it. */
const void *net_delta(const Net *n, int l);

/* Backward pass of the first m rows from dbuf[0]; fills dW, db, dgamma, dbeta, e2, e2n,
 * n_sat, and delta_ss when want_stats; calls done(ctx, n, l) for each layer when done is
 * not NULL. */
void net_backward(Net *n, size_t m, int want_stats, NetLayerDone done, void *ctx);
/* Sum of squares in double of len stored values of the net's dtype, in 8 lanes of a fixed
 * order (every gradient norm is summed so); net_grad_ss: of layer l's stored dW and db,
 * scaled by 2^-e2 as they are; net_norm_grad_ss: of dgamma and dbeta, scaled by 2^-e2n (0
 * without norm). */
double net_sumsq(Dtype dt, const void *v, size_t len);
double net_grad_ss(const Net *n, int l);
double net_norm_grad_ss(const Net *n, int l);
/* Multiplies every stored gradient by c in the dtype's arithmetic (gradient clipping). */
void net_grad_mul(Net *n, double c);

#endif
