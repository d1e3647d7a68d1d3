#pragma once
/// @file
/// The optimizer's surrogate model: Gaussian-process regression with a Matérn-5/2 kernel that has
/// one lengthscale per input (ARD), a signal variance and a fitted noise variance, the three kinds
/// of hyperparameters chosen by maximizing the marginal likelihood (with weak priors) with NLopt's
/// L-BFGS on its analytic gradient. Linear algebra is Eigen's. Inputs are features in [0, 1]
/// (ranges, ordered enums) or category indices (unordered enums, whose distance is 0 or 1).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

// <resolv.h> (pulled in by cpp-httplib, for one) defines `_res` as a macro, and Eigen names
// parameters `_res`: Eigen's headers are read with the macro set aside.
#pragma push_macro("_res")
#undef _res
#include <Eigen/Dense>
#pragma pop_macro("_res")
#include <nlopt.h>

namespace servokit::optimize::detail {

/// Which inputs are compared by distance and which by equality.
struct kernel_inputs {
  std::vector<bool> categorical;   ///< one flag per feature
};

/// The hyperparameters, all as logarithms: one lengthscale per feature, the signal variance, the
/// noise variance (of standardized targets).
struct kernel_shape {
  std::vector<double> log_lengthscales;
  double log_signal = 0;
  double log_noise = std::log(1e-2);
};

/// The posterior of a fitted process at one point: the mean and variance of the noise-free value.
struct prediction {
  double mean = 0;
  double variance = 0;
};

inline double normal_density(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

/// The logarithm of the expected improvement below `incumbent` (lower is better), accurate far into
/// the tail where EI itself underflows to 0: log-EI keeps ranking candidates that plain EI would
/// call all equal (Ament et al. 2023, "Unexpected improvements to expected improvement").
inline double log_expected_improvement(double mean, double variance, double incumbent) {
  const double sigma = std::sqrt(std::max(variance, 1e-18));
  const double z = (incumbent - mean) / sigma;
  double log_h;   // log(phi(z) + z Phi(z))
  if (z > -1) {
    log_h = std::log(normal_density(z) + z * normal_cdf(z));
  } else if (z > -35) {
    // phi(z) (1 + z R(z)) with R = Phi / phi (the Mills ratio), which stays accurate here.
    const double ratio = normal_cdf(z) / normal_density(z);
    log_h = -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) + std::log1p(z * ratio);
  } else {
    log_h = -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) - 2 * std::log(-z);   // the asymptote
  }
  return log_h + std::log(sigma);
}

/// A Gaussian process over feature vectors, fitted to standardized targets (mean 0, variance 1).
class gaussian_process {
 public:
  /// Fits the hyperparameters to (`points`, `targets`) by maximum a-posteriori marginal likelihood
  /// (L-BFGS from two starts, at most `evaluations` likelihood evaluations each), then conditions
  /// on them; the lengthscales' prior is centred on `typical_lengthscale`, and the noise variance
  /// is at most `largest_noise`. `targets` should be standardized. Returns false when no fit was
  /// possible.
  bool fit(const std::vector<std::vector<double>>& points, const std::vector<double>& targets,
           const kernel_inputs& inputs, int evaluations = 60, double typical_lengthscale = 0.5, double largest_noise = 1.0) {
    inputs_ = inputs;
    typical_lengthscale_ = typical_lengthscale;
    const std::size_t dims = inputs.categorical.size();
    if (points.empty()) return false;
    std::vector<double> best_parameters;
    double best_value = std::numeric_limits<double>::infinity();
    for (double start_lengthscale : {typical_lengthscale, 0.3 * typical_lengthscale}) {
      std::vector<double> parameters(dims + 2);
      for (std::size_t d = 0; d < dims; ++d) parameters[d] = std::log(start_lengthscale);
      parameters[dims] = 0.0;
      parameters[dims + 1] = std::log(std::min(1e-2, largest_noise));
      likelihood_problem problem{this, &points, &targets, std::numeric_limits<double>::infinity(), {}};
      nlopt_opt optimizer = nlopt_create(NLOPT_LD_LBFGS, static_cast<unsigned>(parameters.size()));
      if (optimizer == nullptr) return false;
      std::vector<double> lower(parameters.size());
      std::vector<double> upper(parameters.size());
      for (std::size_t d = 0; d < dims; ++d) {
        lower[d] = std::log(0.01);
        upper[d] = std::log(20.0);
      }
      lower[dims] = std::log(0.05);
      upper[dims] = std::log(20.0);
      lower[dims + 1] = std::log(1e-6);
      upper[dims + 1] = std::log(largest_noise);
      nlopt_set_lower_bounds(optimizer, lower.data());
      nlopt_set_upper_bounds(optimizer, upper.data());
      nlopt_set_min_objective(optimizer, &likelihood_problem::evaluate, &problem);
      nlopt_set_maxeval(optimizer, evaluations);
      nlopt_set_ftol_rel(optimizer, 1e-6);
      double value = 0;
      // A failure code (rounding limited, a bad step) still leaves the best point seen in `problem`.
      (void)nlopt_optimize(optimizer, parameters.data(), &value);
      nlopt_destroy(optimizer);
      if (problem.best_value < best_value) {
        best_value = problem.best_value;
        best_parameters = problem.best_parameters;
      }
    }
    if (best_parameters.empty()) return false;
    kernel_shape shape;
    shape.log_lengthscales.assign(best_parameters.begin(), best_parameters.begin() + static_cast<std::ptrdiff_t>(dims));
    shape.log_signal = best_parameters[dims];
    shape.log_noise = best_parameters[dims + 1];
    return condition(points, targets, shape);
  }

  /// Conditions on (`points`, `targets`) with the hyperparameters `shape` (no fitting).
  bool condition(const std::vector<std::vector<double>>& points, const std::vector<double>& targets, const kernel_shape& shape) {
    shape_ = shape;
    points_ = points;
    const auto n = static_cast<Eigen::Index>(points.size());
    Eigen::MatrixXd covariance = covariance_of(points, shape);
    const double noise = std::exp(shape.log_noise);
    for (Eigen::Index i = 0; i < n; ++i) covariance(i, i) += noise + 1e-8;
    cholesky_.compute(covariance);
    if (cholesky_.info() != Eigen::Success) return false;
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) y(i) = targets[static_cast<std::size_t>(i)];
    weights_ = cholesky_.solve(y);
    fitted_ = true;
    return true;
  }

  /// The posterior at `point`.
  prediction predict(const std::vector<double>& point) const {
    if (!fitted_) return {0.0, std::exp(shape_.log_signal)};
    const auto n = static_cast<Eigen::Index>(points_.size());
    Eigen::VectorXd cross(n);
    for (Eigen::Index i = 0; i < n; ++i) cross(i) = kernel(point, points_[static_cast<std::size_t>(i)], shape_);
    prediction result;
    result.mean = cross.dot(weights_);
    const Eigen::VectorXd solved = cholesky_.matrixL().solve(cross);
    result.variance = std::max(std::exp(shape_.log_signal) - solved.squaredNorm(), 1e-12);
    return result;
  }

  /// The fitted hyperparameters.
  const kernel_shape& shape() const { return shape_; }
  /// The noise variance relative to the signal variance.
  double noise_ratio() const { return std::exp(shape_.log_noise - shape_.log_signal); }
  bool fitted() const { return fitted_; }

 private:
  /// The scaled squared distance of two points.
  double scaled_distance(const std::vector<double>& left, const std::vector<double>& right, const kernel_shape& shape) const {
    double squared = 0;
    for (std::size_t d = 0; d < left.size(); ++d) {
      const double delta = inputs_.categorical[d] ? (left[d] != right[d] ? 1.0 : 0.0) : left[d] - right[d];
      squared += delta * delta * std::exp(-2 * shape.log_lengthscales[d]);
    }
    return squared;
  }

  /// Matérn 5/2 of the scaled distance r: s (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r).
  double kernel(const std::vector<double>& left, const std::vector<double>& right, const kernel_shape& shape) const {
    const double r = std::sqrt(scaled_distance(left, right, shape));
    const double root5r = std::sqrt(5.0) * r;
    return std::exp(shape.log_signal) * (1 + root5r + root5r * root5r / 3) * std::exp(-root5r);
  }

  Eigen::MatrixXd covariance_of(const std::vector<std::vector<double>>& points, const kernel_shape& shape) const {
    const auto n = static_cast<Eigen::Index>(points.size());
    Eigen::MatrixXd covariance(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j) {
        covariance(i, j) = covariance(j, i) = kernel(points[static_cast<std::size_t>(i)], points[static_cast<std::size_t>(j)], shape);
      }
    }
    return covariance;
  }

  /// The negative log posterior of the hyperparameters and its gradient, as NLopt calls it.
  struct likelihood_problem {
    gaussian_process* model;
    const std::vector<std::vector<double>>* points;
    const std::vector<double>* targets;
    double best_value = std::numeric_limits<double>::infinity();
    std::vector<double> best_parameters;

    static double evaluate(unsigned count, const double* x, double* gradient, void* data) {
      auto& self = *static_cast<likelihood_problem*>(data);
      std::vector<double> parameters(x, x + count);
      std::vector<double> slope(count, 0.0);
      const double value = self.model->negative_log_posterior(*self.points, *self.targets, parameters, slope);
      if (gradient != nullptr) std::copy(slope.begin(), slope.end(), gradient);
      if (value < self.best_value) {
        self.best_value = value;
        self.best_parameters = parameters;
      }
      return value;
    }
  };

  /// -log p(y | theta) - log p(theta), with the gradient in `gradient`. The priors are weak: the
  /// lengthscales log-normal around the typical one (0.5: a smooth response over each input's
  /// range), the noise
  /// log-normal around 1% of the signal, the signal around 1 (standardized targets).
  double negative_log_posterior(const std::vector<std::vector<double>>& points, const std::vector<double>& targets,
                                const std::vector<double>& parameters, std::vector<double>& gradient) {
    const std::size_t dims = inputs_.categorical.size();
    kernel_shape shape;
    shape.log_lengthscales.assign(parameters.begin(), parameters.begin() + static_cast<std::ptrdiff_t>(dims));
    shape.log_signal = parameters[dims];
    shape.log_noise = parameters[dims + 1];
    const auto n = static_cast<Eigen::Index>(points.size());
    const double signal = std::exp(shape.log_signal);
    const double noise = std::exp(shape.log_noise);
    // The Matérn matrix without the signal factor, and the per-dimension squared differences.
    Eigen::MatrixXd correlation(n, n);
    Eigen::MatrixXd distance(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j) {
        const double r = std::sqrt(scaled_distance(points[static_cast<std::size_t>(i)], points[static_cast<std::size_t>(j)], shape));
        const double root5r = std::sqrt(5.0) * r;
        correlation(i, j) = correlation(j, i) = (1 + root5r + root5r * root5r / 3) * std::exp(-root5r);
        distance(i, j) = distance(j, i) = r;
      }
    }
    Eigen::MatrixXd covariance = signal * correlation;
    for (Eigen::Index i = 0; i < n; ++i) covariance(i, i) += noise + 1e-8;
    Eigen::LLT<Eigen::MatrixXd> factor(covariance);
    if (factor.info() != Eigen::Success) {
      std::fill(gradient.begin(), gradient.end(), 0.0);
      return 1e30;
    }
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) y(i) = targets[static_cast<std::size_t>(i)];
    const Eigen::VectorXd alpha = factor.solve(y);
    const Eigen::MatrixXd inverse = factor.solve(Eigen::MatrixXd::Identity(n, n));
    double log_determinant = 0;
    const Eigen::MatrixXd lower = factor.matrixL();
    for (Eigen::Index i = 0; i < n; ++i) log_determinant += 2 * std::log(lower(i, i));
    double value = 0.5 * y.dot(alpha) + 0.5 * log_determinant + 0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
    // d(-log L)/d theta = -0.5 tr((alpha alpha^T - K^-1) dK/dtheta) = 0.5 sum((K^-1 - alpha alpha^T) .* dK).
    const Eigen::MatrixXd weight = inverse - alpha * alpha.transpose();
    // Lengthscales: dK_ij/d log l_d = s * (5/3) (1 + sqrt5 r) exp(-sqrt5 r) * delta_d^2 / l_d^2.
    for (std::size_t d = 0; d < dims; ++d) {
      const double inverse_square = std::exp(-2 * shape.log_lengthscales[d]);
      double sum = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < i; ++j) {
          const double left = points[static_cast<std::size_t>(i)][d];
          const double right = points[static_cast<std::size_t>(j)][d];
          const double delta = inputs_.categorical[d] ? (left != right ? 1.0 : 0.0) : left - right;
          if (delta == 0) continue;
          const double root5r = std::sqrt(5.0) * distance(i, j);
          const double derivative = signal * (5.0 / 3.0) * (1 + root5r) * std::exp(-root5r) * delta * delta * inverse_square;
          sum += 2 * weight(i, j) * derivative;   // the matrix is symmetric: both triangles
        }
      }
      gradient[d] = 0.5 * sum;
    }
    gradient[dims] = 0.5 * (weight.array() * (signal * correlation).array()).sum();
    gradient[dims + 1] = 0.5 * weight.trace() * noise;
    // Priors (negative log densities up to constants), on the log parameters.
    const double lengthscale_center = std::log(typical_lengthscale_);
    const double lengthscale_spread = 1.0;
    for (std::size_t d = 0; d < dims; ++d) {
      const double offset = shape.log_lengthscales[d] - lengthscale_center;
      value += 0.5 * offset * offset / (lengthscale_spread * lengthscale_spread);
      gradient[d] += offset / (lengthscale_spread * lengthscale_spread);
    }
    const double signal_offset = shape.log_signal;
    value += 0.5 * signal_offset * signal_offset / 4.0;
    gradient[dims] += signal_offset / 4.0;
    const double noise_offset = shape.log_noise - std::log(1e-2);
    value += 0.5 * noise_offset * noise_offset / 9.0;
    gradient[dims + 1] += noise_offset / 9.0;
    return value;
  }

  kernel_inputs inputs_;
  double typical_lengthscale_ = 0.5;   ///< the centre of the lengthscales' prior
  kernel_shape shape_;
  std::vector<std::vector<double>> points_;
  Eigen::LLT<Eigen::MatrixXd> cholesky_;
  Eigen::VectorXd weights_;
  bool fitted_ = false;
};

}  // namespace servokit::optimize::detail
