import Link from "next/link";
import type { Schemas } from "@/api/client";

type Image = Schemas["Image"];
type NewsBlock = NonNullable<Schemas["NewsArticlePage"]["body"]>[number];

/** An image from the CMS: its renditions as srcset (WebP first), the medium one as the fallback. */
export function Picture({ image, sizes = "(min-width: 60rem) 56rem, 100vw", className }: { image: Image; sizes?: string; className?: string }) {
  const fallback = image.renditions.medium ?? image.renditions.small ?? Object.values(image.renditions)[0];
  return (
    <picture className={className}>
      {image.srcset_webp && <source type="image/webp" srcSet={image.srcset_webp} sizes={sizes} />}
      <img
        src={fallback?.url}
        srcSet={image.srcset || undefined}
        sizes={sizes}
        width={image.width}
        height={image.height}
        alt={image.alt}
        loading="lazy"
      />
    </picture>
  );
}

/** Rich text is HTML the CMS has already cleaned and whose links point at this front end. */
export function RichText({ html, className }: { html: string; className?: string }) {
  return <div className={className ?? "rich-text"} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function NewsBody({ blocks }: { blocks: NewsBlock[] }) {
  return (
    <div className="body">
      {blocks.map((block) => {
        switch (block.type) {
          case "paragraph":
            return <RichText key={block.id} html={block.value} />;
          case "heading": {
            const Tag = block.value.level === "h3" ? "h3" : block.value.level === "h4" ? "h4" : "h2";
            return <Tag key={block.id}>{block.value.text}</Tag>;
          }
          case "image":
            return block.value.image ? (
              <figure key={block.id}>
                <Picture image={block.value.image} />
                {(block.value.caption || block.value.credit) && (
                  <figcaption>
                    {block.value.caption} {block.value.credit && <span className="credit">{block.value.credit}</span>}
                  </figcaption>
                )}
              </figure>
            ) : null;
          case "quote":
            return (
              <figure key={block.id} className="quote">
                <blockquote>{block.value.quote}</blockquote>
                {block.value.attribution && <figcaption>{block.value.attribution}</figcaption>}
              </figure>
            );
          case "related_links":
            return (
              <aside key={block.id} className="related-links">
                {block.value.heading && <h2>{block.value.heading}</h2>}
                <ul>
                  {block.value.links.map((link, index) => {
                    const href = link.page?.url ?? link.url;
                    return href ? (
                      <li key={index}><Link href={href}>{link.title || link.page?.title || href}</Link></li>
                    ) : null;
                  })}
                </ul>
              </aside>
            );
          case "video":
            return block.value.video?.url ? (
              <p key={block.id} className="embedded-video">
                <Link href={block.value.video.url}>▶ {block.value.video.title}</Link>
                {block.value.caption && <span> — {block.value.caption}</span>}
              </p>
            ) : null;
          default:
            return null;
        }
      })}
    </div>
  );
}
