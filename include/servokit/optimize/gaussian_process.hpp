#pragma once
/// @file
/// A small Gaussian-process regression over a mixed space (ranges and enums), the surrogate model
/// of the optimizer: a squared-exponential kernel over range coordinates times an exponential
/// kernel over the number of enum settings that differ, with a noise term for measurements that
/// vary from run to run. Sized for a search's few dozen points, where a dense Cholesky
/// factorization takes microseconds.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <optional>
#include <vector>

namespace servokit::optimize::detail {

/// The kernel's shape: how far (in range coordinates, each in [0, 1]) two points stay alike, how
/// much one differing enum setting separates them, and the measurement noise as a fraction of the
/// signal's variance.
struct kernel_shape {
  double lengthscale = 0.3;
  double category_weight = 1.0;
  double noise_ratio = 0.01;
};

/// Which coordinates of a position the kernel reads, and how.
struct kernel_inputs {
  std::vector<std::size_t> ranges;   ///< coordinates compared by distance
  std::vector<std::size_t> enums;    ///< coordinates compared by equality
};

/// The squared distance over range coordinates and the count of differing enum coordinates.
inline void kernel_distances(const kernel_inputs& inputs, const std::vector<double>& left,
                             const std::vector<double>& right, double& squared, double& differing) {
  squared = 0;
  differing = 0;
  for (auto index : inputs.ranges) {
    const double delta = left[index] - right[index];
    squared += delta * delta;
  }
  for (auto index : inputs.enums) differing += left[index] != right[index] ? 1.0 : 0.0;
}

inline double kernel_value(const kernel_shape& shape, double squared, double differing) {
  return std::exp(-0.5 * squared / (shape.lengthscale * shape.lengthscale) - shape.category_weight * differing);
}

/// A Gaussian process fitted to points and targets, with a constant mean and the signal variance
/// estimated in closed form (the maximum-likelihood scale for the given kernel shape).
class gaussian_process {
 public:
  /// What the model says about a point: the mean and variance of the noise-free value.
  struct prediction {
    double mean = 0;
    double variance = 0;
  };

  /// Fits `targets` at `points`; `squared` and `differing` are the pairwise kernel distances
  /// (row-major n x n), precomputed once for all the shapes tried. Returns false when the
  /// factorization fails (it does not with a positive noise ratio, but the caller stays safe).
  bool fit(const std::vector<std::vector<double>>* points, const kernel_inputs* inputs, const std::vector<double>& targets,
           const std::vector<double>& squared, const std::vector<double>& differing, kernel_shape shape,
           std::optional<double> fixed_mean = std::nullopt, std::optional<double> fixed_scale = std::nullopt) {
    points_ = points;
    inputs_ = inputs;
    shape_ = shape;
    const std::size_t n = targets.size();
    size_ = n;
    mean_ = 0;
    if (fixed_mean) {
      mean_ = *fixed_mean;
    } else {
      for (double target : targets) mean_ += target;
      mean_ /= static_cast<double>(n);
    }
    // K = C + (noise + jitter) I, factorized in place as L (lower triangle).
    factor_.assign(n * n, 0.0);
    for (std::size_t row = 0; row < n; ++row) {
      for (std::size_t column = 0; column <= row; ++column) {
        double value = kernel_value(shape, squared[row * n + column], differing[row * n + column]);
        if (row == column) value += shape.noise_ratio + 1e-8;
        factor_[row * n + column] = value;
      }
    }
    for (std::size_t j = 0; j < n; ++j) {
      double diagonal = factor_[j * n + j];
      for (std::size_t k = 0; k < j; ++k) diagonal -= factor_[j * n + k] * factor_[j * n + k];
      if (!(diagonal > 0)) return false;
      const double pivot = std::sqrt(diagonal);
      factor_[j * n + j] = pivot;
      for (std::size_t i = j + 1; i < n; ++i) {
        double value = factor_[i * n + j];
        for (std::size_t k = 0; k < j; ++k) value -= factor_[i * n + k] * factor_[j * n + k];
        factor_[i * n + j] = value / pivot;
      }
    }
    // alpha = K^-1 (y - mean), by forward then backward substitution.
    alpha_.resize(n);
    for (std::size_t i = 0; i < n; ++i) alpha_[i] = targets[i] - mean_;
    solve_lower(alpha_);
    double residual = 0;
    for (double value : alpha_) residual += value * value;
    solve_upper(alpha_);
    scale_ = fixed_scale ? *fixed_scale : std::max(residual / static_cast<double>(n), 1e-12);
    double log_determinant = 0;
    for (std::size_t i = 0; i < n; ++i) log_determinant += 2.0 * std::log(factor_[i * n + i]);
    log_likelihood_ = -0.5 * residual / scale_ - 0.5 * static_cast<double>(n) * std::log(scale_) - 0.5 * log_determinant;
    return true;
  }

  /// The log marginal likelihood of the targets (up to a constant), for choosing a kernel shape.
  double log_likelihood() const { return log_likelihood_; }
  /// The kernel shape of the last fit.
  const kernel_shape& shape() const { return shape_; }
  /// The signal variance (the targets' units squared).
  double scale() const { return scale_; }

  /// The model's belief about the noise-free value at `point`.
  prediction predict(const std::vector<double>& point) const {
    const std::size_t n = size_;
    std::vector<double> covariance(n);
    for (std::size_t i = 0; i < n; ++i) {
      double squared = 0;
      double differing = 0;
      kernel_distances(*inputs_, point, (*points_)[i], squared, differing);
      covariance[i] = kernel_value(shape_, squared, differing);
    }
    prediction result;
    result.mean = mean_;
    for (std::size_t i = 0; i < n; ++i) result.mean += covariance[i] * alpha_[i];
    solve_lower(covariance);
    double explained = 0;
    for (double value : covariance) explained += value * value;
    result.variance = std::max(scale_ * (1.0 - explained), 1e-12 * scale_);
    return result;
  }

 private:
  void solve_lower(std::vector<double>& vector) const {
    const std::size_t n = size_;
    for (std::size_t i = 0; i < n; ++i) {
      double value = vector[i];
      for (std::size_t k = 0; k < i; ++k) value -= factor_[i * n + k] * vector[k];
      vector[i] = value / factor_[i * n + i];
    }
  }
  void solve_upper(std::vector<double>& vector) const {
    const std::size_t n = size_;
    for (std::size_t i = n; i-- > 0;) {
      double value = vector[i];
      for (std::size_t k = i + 1; k < n; ++k) value -= factor_[k * n + i] * vector[k];
      vector[i] = value / factor_[i * n + i];
    }
  }

  const std::vector<std::vector<double>>* points_ = nullptr;
  const kernel_inputs* inputs_ = nullptr;
  kernel_shape shape_;
  std::size_t size_ = 0;
  double mean_ = 0;
  double scale_ = 1;
  double log_likelihood_ = -std::numeric_limits<double>::infinity();
  std::vector<double> factor_;
  std::vector<double> alpha_;
};

/// The standard normal density and distribution function.
inline double normal_density(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// Expected improvement below `incumbent` of a value believed normal(mean, variance).
inline double expected_improvement(double mean, double variance, double incumbent) {
  const double sigma = std::sqrt(variance);
  const double gain = incumbent - mean;
  if (sigma <= 1e-12) return std::max(gain, 0.0);
  const double z = gain / sigma;
  return gain * normal_cdf(z) + sigma * normal_density(z);
}

}  // namespace servokit::optimize::detail
