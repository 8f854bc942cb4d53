import type { NextConfig } from "next";

const cms = (process.env.CMS_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Django's URLs end with a slash; Next.js must not redirect them away.
  skipTrailingSlashRedirect: true,
  // The browser talks to allauth and the account endpoints on this front end's own origin, as allauth's
  // React SPA example does: the session and CSRF cookies are then first-party and SameSite=Lax works.
  async rewrites() {
    return [
      { source: "/_allauth/:path*", destination: `${cms}/_allauth/:path*` },
      // The rewrite drops a trailing slash, and the CMS answers /api/v1/pages/16 with a redirect to /pages/16/.
      { source: "/api/v1/:path*/", destination: `${cms}/api/v1/:path*/` },
      { source: "/api/v1/:path*", destination: `${cms}/api/v1/:path*` },
    ];
  },
};

export default nextConfig;
