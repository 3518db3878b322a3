# Reference figures from R's psych and multilevel packages on psychTools' own data sets.
# Run by tests/test_conformance_r.py: Rscript reference.R OUTDIR. Writes the data the test
# scores (bfi.csv, epi.csv) and reference.csv, one figure a line: what,set,scale,key,value.
# The data sets are GPL: they are written at test time and never committed.
suppressPackageStartupMessages({
  library(psych); library(psychTools); library(multilevel)
})
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
rows <- list()
put <- function(what, set, scale, key, value) {
  rows[[length(rows) + 1]] <<- data.frame(what = what, set = set, scale = scale, key = key,
                                          value = format(value, digits = 17))
}

keyed <- function(data, keys, low, high) {
  items <- sub("-", "", keys)
  x <- data[, items, drop = FALSE]
  flip <- startsWith(keys, "-")
  x[, flip] <- low + high - x[, flip]
  x
}

reliability <- function(set, scale, x, method) {
  if (method == "listwise") {
    x <- na.omit(x)
  } else {
    x <- x[rowSums(!is.na(x)) >= 1, ]
  }
  a <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  tag <- paste0(scale, ":", method)
  put("alpha", set, tag, "", a$total$raw_alpha)
  put("alpha_std", set, tag, "", a$total$std.alpha)
  put("average_r", set, tag, "", a$total$average_r)
  put("g6", set, tag, "", a$total[["G6(smc)"]])
  put("alpha_n", set, tag, "", nrow(x))
  put("alpha_ci_low", set, tag, "", a$feldt$lower.ci[[1]])
  put("alpha_ci_high", set, tag, "", a$feldt$upper.ci[[1]])
  for (i in seq_len(ncol(x))) {
    item <- colnames(x)[i]
    put("r_drop", set, tag, item, a$item.stats$r.drop[i])
    put("alpha_if_dropped", set, tag, item, a$alpha.drop$raw_alpha[i])
  }
  f <- fa(x, nfactors = 1, fm = "minres")
  l <- as.vector(f$loadings)
  put("omega_total", set, tag, "", sum(l)^2 / (sum(l)^2 + sum(f$uniquenesses)))
  p <- principal(x, scores = FALSE)
  for (i in seq_len(ncol(x))) put("pc1", set, tag, colnames(x)[i], p$loadings[i, 1])
  if (any(p$loadings < 0)) {
    r <- psych::alpha(x, check.keys = TRUE, warnings = FALSE)
    put("alpha_rekeyed", set, tag, "", r$total$raw_alpha)
  }
}

# --- bfi: five 6-point scales, by education ------------------------------------------------
bfi <- psychTools::bfi
write.csv(bfi, file.path(out, "bfi.csv"), row.names = FALSE, na = "")
group <- ifelse(is.na(bfi$education), "ns", as.character(bfi$education))
wilson <- function(x, n) suppressWarnings(prop.test(x, n, correct = FALSE)$conf.int)
for (scale in names(bfi.keys)) {
  keys <- bfi.keys[[scale]]
  x <- keyed(bfi, keys, 1, 6)
  for (method in c("listwise", "pairwise")) reliability("bfi", scale, x, method)
  raw <- bfi[, colnames(x)]
  # Principle score: psych's scoreItems with item-mean imputation on the rows with 3 of 5
  # answers (min_answered 0.5): a blank counts as the item's mean among those rows.
  answered <- rowSums(!is.na(x))
  scored <- answered >= 3
  score <- rep(NA_real_, nrow(x))
  one <- matrix(1, ncol(x), 1, dimnames = list(colnames(x), scale))
  score[scored] <- scoreItems(one, x[scored, ], impute = "mean", totals = FALSE,
                              min = 1, max = 6)$scores[, 1]
  put("principle_mean", "bfi", scale, "", mean(score, na.rm = TRUE))
  put("principle_n", "bfi", scale, "", sum(scored))
  # Item figures of a principle (counts, % favourable) are over the people scored on it;
  # agreement (rwg, AD_M) stays on the raw answers.
  x[!scored, ] <- NA
  model <- aov(score ~ as.factor(group))
  put("icc1", "bfi", scale, "education", ICC1(model))
  put("icc2", "bfi", scale, "education", ICC2(model))
  put("anova_p", "bfi", scale, "education", summary(model)[[1]][1, 5])
  r <- rwg.j(raw, group, ranvar = (6^2 - 1) / 12)
  d <- ad.m(raw, group)
  for (i in seq_len(nrow(r))) {
    g <- as.character(r$grpid[i])
    put("rwg_j", "bfi", scale, g, r$rwg.j[i])
    put("ad_m", "bfi", scale, g, d$AD.M[d$grpid == g])
    s <- score[group == g & !is.na(score)]
    put("group_mean", "bfi", scale, g, mean(s))
    put("group_sd", "bfi", scale, g, sd(s))
    half <- qt(0.975, length(s) - 1) * sd(s) / sqrt(length(s))
    put("group_ci_low", "bfi", scale, g, mean(s) - half)
    put("group_ci_high", "bfi", scale, g, mean(s) + half)
    cells <- as.matrix(x[group == g, ])
    fav <- sum(cells >= 5, na.rm = TRUE); all <- sum(!is.na(cells))
    put("group_favourable", "bfi", scale, g, fav / all)
    put("group_favourable_low", "bfi", scale, g, wilson(fav, all)[1])
  }
  all <- rep("all", nrow(raw))
  put("rwg_j", "bfi", scale, "(all)", rwg.j(raw, all, ranvar = (6^2 - 1) / 12)$rwg.j)
  put("ad_m", "bfi", scale, "(all)", ad.m(raw, all)$AD.M)
  cells <- as.matrix(x)
  for (item in colnames(x)) {
    v <- x[[item]]; v <- v[!is.na(v)]
    for (side in c("favourable", "neutral", "unfavourable")) {
      hit <- switch(side, favourable = sum(v >= 5), neutral = sum(v %in% 3:4),
                    unfavourable = sum(v <= 2))
      ci <- wilson(hit, length(v))
      put(side, "bfi", scale, item, hit / length(v))
      put(paste0(side, "_low"), "bfi", scale, item, ci[1])
      put(paste0(side, "_high"), "bfi", scale, item, ci[2])
    }
  }
  fav <- sum(cells >= 5, na.rm = TRUE); all <- sum(!is.na(cells))
  put("favourable", "bfi", scale, "", fav / all)
  put("favourable_low", "bfi", scale, "", wilson(fav, all)[1])
  put("favourable_high", "bfi", scale, "", wilson(fav, all)[2])
}

# Mis-keyed scales for the key check: two of five items (C4, C5), and single items.
miskeyed <- list(c2of5 = c("C1", "C2", "C3", "C4", "C5"),
                 a1 = c("A1", "A2", "A3", "A4", "A5"),
                 e1 = c("E1", "-E2", "E3", "E4", "E5"),
                 n1 = c("-N1", "N2", "N3", "N4", "N5"))
for (scale in names(miskeyed)) {
  reliability("bfi", scale, keyed(bfi, miskeyed[[scale]], 1, 6), "listwise")
}

# --- epi: 0/1 answers stored as 1/2 ---------------------------------------------------------
epi <- psychTools::epi
write.csv(epi, file.path(out, "epi.csv"), row.names = FALSE, na = "")
for (scale in c("E", "N", "L")) {
  x <- keyed(epi, epi.keys[[scale]], 1, 2)
  for (method in c("listwise", "pairwise")) reliability("epi", scale, x, method)
}

write.csv(do.call(rbind, rows), file.path(out, "reference.csv"), row.names = FALSE)
