"""The static texts of the demo marketplace: people, the category tree, gig copy, chat lines."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Niche:
    """A second-level category and the copy its gigs are composed from.

    `titles`, `requests`, `pitch` and `brief` are templates over `{style}` and `{subject}`, so
    every combination reads as a sentence someone would actually write.
    """

    slug: str
    name: str
    titles: tuple[str, ...]
    styles: tuple[str, ...]
    subjects: tuple[str, ...]
    pitch: str
    tiers: tuple[str, str, str]
    price: tuple[int, int]  # the BASIC price range, in whole dollars
    days: int  # the BASIC delivery time
    requests: tuple[str, ...]
    brief: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    """A top-level category: its niches, the skills of its freelancers and their headlines."""

    slug: str
    name: str
    skills: tuple[str, ...]
    headlines: tuple[str, ...]
    niches: tuple[Niche, ...]


DESIGN = Field(
    slug="design-creative",
    name="Design & Creative",
    skills=(
        "Logo Design",
        "Branding",
        "Figma",
        "Adobe Illustrator",
        "UI Design",
        "UX Research",
        "Illustration",
        "Packaging Design",
    ),
    headlines=(
        "Brand and logo designer for independent businesses",
        "Product designer, Figma and design systems",
        "Illustrator and packaging designer",
        "Visual designer with an eye for detail",
    ),
    niches=(
        Niche(
            slug="logo-design",
            name="Logo Design",
            titles=(
                "I will design a {style} logo for your {subject}",
                "I will create a {style} logo and brand kit for your {subject}",
                "I will redesign your {subject} logo in a {style} style",
            ),
            styles=("minimalist", "modern", "vintage", "hand-drawn", "geometric", "playful"),
            subjects=(
                "coffee brand",
                "tech startup",
                "bakery",
                "yoga studio",
                "craft brewery",
                "law firm",
                "podcast",
                "fitness app",
                "bookstore",
                "esports team",
            ),
            pitch=(
                "A good logo works on a coffee cup, a storefront and a 16-pixel favicon alike. I "
                "design {style} marks for every {subject} that wants to look established from day "
                "one, starting from your story rather than from a template."
            ),
            tiers=(
                "2 logo concepts, high-resolution PNG and JPG",
                "4 concepts, vector source files (AI, SVG, PDF) and a social media kit",
                "6 concepts, full vector files, colour palette, typography and a brand guide",
            ),
            price=(30, 80),
            days=3,
            requests=(
                "Logo needed for a new {subject}",
                "Looking for a designer to refresh our {subject} logo",
            ),
            brief=(
                "We are launching a {subject} and need a logo that feels {style} but not generic. "
                "We have a name and a rough mood board; the mark must work in one colour, on "
                "signage and on social media."
            ),
            tags=("logo", "branding", "logo design", "brand identity", "vector", "minimalist"),
        ),
        Niche(
            slug="ui-ux-design",
            name="UI/UX Design",
            titles=(
                "I will design a {style} UI for your {subject}",
                "I will create Figma wireframes and prototypes for your {subject}",
                "I will audit and improve the UX of your {subject}",
            ),
            styles=("clean", "modern", "accessible", "conversion-focused", "mobile-first"),
            subjects=(
                "SaaS dashboard",
                "mobile banking app",
                "e-commerce store",
                "booking app",
                "fitness tracker",
                "online course platform",
                "food delivery app",
                "real estate site",
            ),
            pitch=(
                "Users decide in seconds whether your {subject} is worth their time. I design "
                "{style} interfaces in Figma, with a component library your developers can "
                "actually build from, and I test the key flows before anyone writes a line of "
                "code."
            ),
            tiers=(
                "Up to 3 screens in Figma",
                "Up to 8 screens, clickable prototype and component library",
                "Up to 20 screens, prototype, design system and a usability test with 5 users",
            ),
            price=(80, 200),
            days=5,
            requests=(
                "UI/UX designer for our {subject}",
                "Redesign the checkout flow of our {subject}",
            ),
            brief=(
                "Our {subject} works, but users get lost. We need someone to map the main flows, "
                "propose wireframes and deliver polished, {style} Figma screens with a small "
                "design system."
            ),
            tags=("ui design", "ux design", "figma", "prototype", "wireframes", "web design"),
        ),
        Niche(
            slug="illustration",
            name="Illustration",
            titles=(
                "I will draw a {style} illustration for your {subject}",
                "I will create {style} character illustrations for your {subject}",
                "I will illustrate a {style} cover for your {subject}",
            ),
            styles=("watercolor", "flat vector", "whimsical", "retro", "line-art", "storybook"),
            subjects=(
                "children's book",
                "board game",
                "album",
                "blog",
                "wedding invitation",
                "mobile game",
                "magazine",
                "brand mascot",
            ),
            pitch=(
                "I paint and draw {style} illustrations that give your {subject} a voice of its "
                "own. You get sketches to choose from first, so the final piece is exactly what "
                "you pictured, only better."
            ),
            tiers=(
                "1 illustration, simple background, 3000 px",
                "1 detailed illustration with a full background, print-ready",
                "3 illustrations in a consistent style, print-ready, commercial licence",
            ),
            price=(40, 120),
            days=4,
            requests=(
                "Illustrator wanted for a {subject}",
                "Need {style} artwork for our {subject}",
            ),
            brief=(
                "We need an illustrator for our {subject}. We like a {style} look and have "
                "references to share. Please show similar work in your application."
            ),
            tags=(
                "illustration",
                "digital art",
                "character design",
                "drawing",
                "artwork",
                "procreate",
            ),
        ),
        Niche(
            slug="packaging-design",
            name="Packaging Design",
            titles=(
                "I will design {style} packaging for your {subject}",
                "I will create a {style} label design for your {subject}",
                "I will design a product box and label for your {subject}",
            ),
            styles=("premium", "eco-friendly", "bold", "minimalist", "retro"),
            subjects=(
                "craft beer",
                "skincare line",
                "coffee bags",
                "candle brand",
                "tea blend",
                "hot sauce",
                "dog treats",
                "chocolate bar",
            ),
            pitch=(
                "Shelf appeal sells. I design {style} packaging and labels that stand out from "
                "three metres away and still read clearly up close, delivered print-ready with "
                "dielines your printer will accept. Your {subject} deserves nothing less."
            ),
            tiers=(
                "Front label design, print-ready PDF",
                "Full label or box design with dieline and a 3D mock-up",
                "Packaging for 3 product variants, dielines, mock-ups and print notes",
            ),
            price=(60, 150),
            days=5,
            requests=(
                "Packaging design for our {subject}",
                "Label designer needed for a new {subject}",
            ),
            brief=(
                "We are bringing a {subject} to market and need packaging that looks {style} on "
                "the shelf. The dieline from our printer is ready."
            ),
            tags=(
                "packaging",
                "label design",
                "product design",
                "print design",
                "box design",
                "mockup",
            ),
        ),
    ),
)

DEVELOPMENT = Field(
    slug="development-it",
    name="Development & IT",
    skills=(
        "Python",
        "Django",
        "React",
        "TypeScript",
        "Flutter",
        "PostgreSQL",
        "AWS",
        "Docker",
        "WordPress",
        "Kubernetes",
    ),
    headlines=(
        "Full-stack developer: React, Django, PostgreSQL",
        "Mobile developer shipping Flutter apps since 2018",
        "DevOps engineer who likes boring deployments",
        "WordPress developer for small businesses",
    ),
    niches=(
        Niche(
            slug="web-development",
            name="Web Development",
            titles=(
                "I will build a {style} website for your {subject}",
                "I will develop a full-stack web app for your {subject}",
                "I will fix bugs and speed up the website of your {subject}",
            ),
            styles=("fast", "responsive", "search-friendly", "modern", "accessible"),
            subjects=(
                "restaurant",
                "startup",
                "online shop",
                "consultancy",
                "photography studio",
                "nonprofit",
                "dental clinic",
                "SaaS product",
            ),
            pitch=(
                "I build {style} websites and web apps with React, Next.js and Django, or plain "
                "HTML where that is all you need. Your {subject} gets clean, documented code, a "
                "Lighthouse score to be proud of and a handover call, so you are never locked in."
            ),
            tiers=(
                "Landing page, responsive, with a contact form",
                "Up to 5 pages, CMS, analytics and basic SEO",
                "Custom web app with sign-in, database, admin panel and deployment",
            ),
            price=(120, 350),
            days=5,
            requests=(
                "Developer needed to build a website for our {subject}",
                "Fix performance issues on our {subject} website",
            ),
            brief=(
                "We run a {subject} and need a {style} website. The design is mostly ready; we "
                "need a developer to build it, connect a CMS and deploy it."
            ),
            tags=("web development", "react", "javascript", "python", "website", "full stack"),
        ),
        Niche(
            slug="mobile-development",
            name="Mobile Apps",
            titles=(
                "I will develop a {style} Flutter app for your {subject}",
                "I will build a native iOS and Android app for your {subject}",
                "I will publish the app of your {subject} to the App Store and Google Play",
            ),
            styles=("cross-platform", "offline-first", "high-performance", "polished", "secure"),
            subjects=(
                "fitness studio",
                "delivery service",
                "restaurant",
                "event",
                "clinic",
                "language school",
                "real estate agency",
                "community",
            ),
            pitch=(
                "From the first screen to the store listing, I build {style} mobile apps your "
                "{subject} can grow with: Flutter or React Native for one codebase, Swift and "
                "Kotlin when you need the last bit of polish."
            ),
            tiers=(
                "App prototype with up to 4 screens",
                "Working app with up to 10 screens and backend integration",
                "Complete app with push notifications, payments and store submission",
            ),
            price=(250, 600),
            days=10,
            requests=(
                "Mobile app for our {subject}",
                "Flutter developer to finish the app of our {subject}",
            ),
            brief=(
                "We want an app for our {subject}: booking, notifications and a simple profile. "
                "The designs are in Figma. We need a {style} implementation for iOS and Android."
            ),
            tags=("mobile app", "flutter", "ios", "android", "react native", "app development"),
        ),
        Niche(
            slug="wordpress",
            name="WordPress",
            titles=(
                "I will build a {style} WordPress site for your {subject}",
                "I will fix, secure and speed up the WordPress site of your {subject}",
                "I will set up WooCommerce for your {subject}",
            ),
            styles=("fast", "elegant", "search-ready", "mobile-friendly", "easy-to-edit"),
            subjects=(
                "small business",
                "blog",
                "online shop",
                "travel agency",
                "coaching practice",
                "restaurant",
                "church",
                "wedding venue",
            ),
            pitch=(
                "WordPress powers a huge share of the web because it lets you edit your own "
                "content. I build {style} WordPress sites for every kind of {subject}, without a "
                "pile of plugins slowing them down."
            ),
            tiers=(
                "Theme set-up and up to 3 pages",
                "Up to 8 pages, contact forms, SEO plugin and speed optimisation",
                "Custom theme, WooCommerce, backups, security hardening and a training call",
            ),
            price=(70, 180),
            days=4,
            requests=(
                "WordPress developer for our {subject}",
                "Move the website of our {subject} to WordPress",
            ),
            brief=(
                "Our {subject} needs a {style} WordPress site we can edit ourselves. We have the "
                "content and a logo; we need set-up, a clean theme and basic SEO."
            ),
            tags=("wordpress", "woocommerce", "elementor", "website", "php", "cms"),
        ),
        Niche(
            slug="devops-cloud",
            name="DevOps & Cloud",
            titles=(
                "I will set up {style} CI/CD pipelines for your {subject}",
                "I will deploy your {subject} to AWS with Terraform",
                "I will dockerize and monitor your {subject}",
            ),
            styles=("reliable", "automated", "cost-efficient", "secure", "zero-downtime"),
            subjects=(
                "Django app",
                "Node.js API",
                "SaaS platform",
                "data pipeline",
                "Rails app",
                "microservices",
                "e-commerce backend",
                "mobile backend",
            ),
            pitch=(
                "I make deployments boring, in the best sense. Your {subject} gets {style} "
                "infrastructure as code, pipelines that test before they ship, and dashboards that "
                "tell you about problems before your users do."
            ),
            tiers=(
                "CI pipeline for one repository",
                "CI/CD with staging and production, Docker and secrets management",
                "Infrastructure as code, Kubernetes, monitoring, alerting and runbooks",
            ),
            price=(100, 250),
            days=4,
            requests=(
                "DevOps engineer to containerize our {subject}",
                "Help us cut the cloud costs of our {subject}",
            ),
            brief=(
                "Our {subject} is deployed by hand and it shows. We want {style} deployments with "
                "Docker and a CI pipeline, and someone to document it all."
            ),
            tags=("devops", "aws", "docker", "kubernetes", "terraform", "ci/cd"),
        ),
    ),
)

WRITING = Field(
    slug="writing-translation",
    name="Writing & Translation",
    skills=(
        "Copywriting",
        "SEO Writing",
        "Editing",
        "Spanish",
        "French",
        "German",
        "Technical Writing",
        "Content Strategy",
    ),
    headlines=(
        "Copywriter who writes like your best salesperson",
        "Native translator, English to Spanish and French",
        "Technical writer for developer products",
        "Content writer for B2B and SaaS",
    ),
    niches=(
        Niche(
            slug="blog-writing",
            name="Articles & Blog Posts",
            titles=(
                "I will write {style} blog posts about {subject}",
                "I will write a {style} long-form article on {subject}",
                "I will ghostwrite weekly articles about {subject}",
            ),
            styles=(
                "search-optimised",
                "engaging",
                "well-researched",
                "conversational",
                "authoritative",
            ),
            subjects=(
                "personal finance",
                "remote work",
                "sustainable living",
                "travel",
                "SaaS marketing",
                "healthy cooking",
                "parenting",
                "cybersecurity",
            ),
            pitch=(
                "Good articles answer a real question better than anything else on page one. I "
                "write {style} posts about {subject} that are researched, original and edited "
                "before you ever see them."
            ),
            tiers=(
                "1 article of 800 words",
                "1 article of 1,500 words with keyword research and a meta description",
                "4 articles of 1,500 words, a content plan and sourced images",
            ),
            price=(30, 90),
            days=3,
            requests=(
                "Blog writer for articles about {subject}",
                "Need weekly content on {subject}",
            ),
            brief=(
                "We publish about {subject} and need a writer who can produce {style} articles "
                "every week. Please include samples on a similar topic."
            ),
            tags=(
                "blog writing",
                "article writing",
                "content writing",
                "seo writing",
                "ghostwriting",
                "copy",
            ),
        ),
        Niche(
            slug="copywriting",
            name="Copywriting",
            titles=(
                "I will write {style} website copy for your {subject}",
                "I will write sales page copy that converts for your {subject}",
                "I will write {style} product descriptions for your {subject}",
            ),
            styles=("persuasive", "punchy", "on-brand", "conversion-focused", "warm"),
            subjects=(
                "SaaS product",
                "online course",
                "skincare brand",
                "coaching business",
                "Shopify store",
                "mobile app",
                "agency",
                "nonprofit",
            ),
            pitch=(
                "Your {subject} already has something worth buying; the copy just needs to say so. "
                "I write {style} copy built on customer research, not adjectives, and I test "
                "headlines before I hand them over."
            ),
            tiers=(
                "Copy for one page, up to 500 words",
                "Copy for up to 4 pages, with headline variants",
                "Full website copy, a tone of voice guide and 3 email sequences",
            ),
            price=(50, 150),
            days=3,
            requests=(
                "Copywriter for the website of our {subject}",
                "Rewrite the landing page of our {subject}",
            ),
            brief=(
                "Our {subject} converts poorly and we think the copy is the problem. We need "
                "{style} copy for the homepage and one landing page."
            ),
            tags=(
                "copywriting",
                "website copy",
                "sales page",
                "product descriptions",
                "landing page",
                "marketing copy",
            ),
        ),
        Niche(
            slug="translation",
            name="Translation",
            titles=(
                "I will translate your {subject} from English to {style}",
                "I will localize your {subject} into {style}",
                "I will proofread your {subject} in {style}",
            ),
            styles=("Spanish", "French", "German", "Portuguese", "Italian", "Japanese"),
            subjects=(
                "website",
                "mobile app",
                "e-book",
                "marketing materials",
                "legal documents",
                "product catalogue",
                "YouTube subtitles",
                "user manual",
            ),
            pitch=(
                "Native {style} translation of your {subject}, done by a human who cares about "
                "nuance. I adapt idioms, units and tone so the result reads as if it had been "
                "written in {style} in the first place."
            ),
            tiers=(
                "Up to 500 words",
                "Up to 2,000 words, with a glossary",
                "Up to 6,000 words, glossary and a second proofreading pass by a colleague",
            ),
            price=(25, 70),
            days=2,
            requests=(
                "English to {style} translation of our {subject}",
                "Native {style} speaker to localize our {subject}",
            ),
            brief=(
                "We need our {subject} translated into {style} by a native speaker: about 3,000 "
                "words, with some technical terms. A glossary exists."
            ),
            tags=(
                "translation",
                "localization",
                "proofreading",
                "native speaker",
                "language",
                "subtitles",
            ),
        ),
        Niche(
            slug="technical-writing",
            name="Technical Writing",
            titles=(
                "I will write {style} API documentation for your {subject}",
                "I will write a {style} user guide for your {subject}",
                "I will write a white paper about your {subject}",
            ),
            styles=("clear", "developer-friendly", "structured", "concise", "step-by-step"),
            subjects=(
                "REST API",
                "SaaS platform",
                "open-source library",
                "hardware product",
                "internal tools",
                "developer SDK",
                "data platform",
                "medical device",
            ),
            pitch=(
                "Documentation is a feature. I write {style} docs for your {subject} that "
                "developers and customers actually read: tested examples, a clear structure and no "
                "marketing fog."
            ),
            tiers=(
                "One guide or reference section, up to 1,500 words",
                "A getting-started guide plus reference for up to 20 endpoints",
                "A complete documentation site with tutorials, reference and a style guide",
            ),
            price=(80, 200),
            days=5,
            requests=(
                "Technical writer for the docs of our {subject}",
                "Document our {subject} for external developers",
            ),
            brief=(
                "Our {subject} has almost no documentation and support tickets pile up. We need "
                "{style} getting-started and reference docs in Markdown."
            ),
            tags=(
                "technical writing",
                "documentation",
                "api docs",
                "user guide",
                "white paper",
                "markdown",
            ),
        ),
    ),
)

MARKETING = Field(
    slug="marketing",
    name="Marketing",
    skills=(
        "SEO",
        "Google Ads",
        "Meta Ads",
        "Email Marketing",
        "Klaviyo",
        "Social Media",
        "Content Strategy",
        "Analytics",
    ),
    headlines=(
        "Performance marketer: Google and Meta ads",
        "SEO consultant for e-commerce and SaaS",
        "Social media manager for local brands",
        "Email marketing specialist (Klaviyo certified)",
    ),
    niches=(
        Niche(
            slug="seo",
            name="SEO",
            titles=(
                "I will do a {style} SEO audit of your {subject}",
                "I will do keyword research and on-page SEO for your {subject}",
                "I will build a {style} link-building plan for your {subject}",
            ),
            styles=("complete", "technical", "data-driven", "white-hat", "local"),
            subjects=(
                "e-commerce store",
                "law firm website",
                "SaaS blog",
                "dental practice",
                "local business",
                "travel blog",
                "Shopify store",
                "real estate site",
            ),
            pitch=(
                "Rankings follow from a site that search engines can crawl and people want to "
                "read. I do {style} SEO for your {subject}: a prioritised list of fixes, not a "
                "90-page PDF nobody opens."
            ),
            tiers=(
                "Technical audit with the top 10 fixes",
                "Audit, research for 30 keywords and on-page optimisation of 5 pages",
                "Full audit, keyword strategy, on-page work on 15 pages and a 3-month content plan",
            ),
            price=(60, 160),
            days=4,
            requests=(
                "SEO specialist for our {subject}",
                "Improve the Google rankings of our {subject}",
            ),
            brief=(
                "Our {subject} gets almost no organic traffic. We need a {style} audit and someone "
                "to implement the most important fixes."
            ),
            tags=(
                "seo",
                "keyword research",
                "on-page seo",
                "technical seo",
                "google ranking",
                "link building",
            ),
        ),
        Niche(
            slug="social-media-marketing",
            name="Social Media Marketing",
            titles=(
                "I will manage {style} Instagram marketing for your {subject}",
                "I will create a month of {style} social media content for your {subject}",
                "I will grow the TikTok presence of your {subject}",
            ),
            styles=("engaging", "on-brand", "organic", "creative", "consistent"),
            subjects=(
                "restaurant",
                "fashion brand",
                "fitness coach",
                "real estate agency",
                "beauty salon",
                "café",
                "startup",
                "bookstore",
            ),
            pitch=(
                "Followers are nice; customers are better. I plan and create {style} social "
                "content for your {subject} around what your audience actually saves and shares, "
                "and report on what brought in sales."
            ),
            tiers=(
                "A content calendar and 8 posts",
                "16 posts with captions, hashtag research and scheduling",
                "30 posts, stories, community management and a monthly report",
            ),
            price=(60, 180),
            days=5,
            requests=(
                "Social media manager for our {subject}",
                "Instagram content creator for a {subject}",
            ),
            brief=(
                "We run a {subject} and post irregularly. We need {style} content for Instagram "
                "and TikTok three times a week, and someone to answer comments."
            ),
            tags=(
                "social media",
                "instagram",
                "tiktok",
                "content creation",
                "social media marketing",
                "community management",
            ),
        ),
        Niche(
            slug="email-marketing",
            name="Email Marketing",
            titles=(
                "I will set up {style} email automations for your {subject}",
                "I will write a welcome email sequence for your {subject}",
                "I will design {style} newsletter templates for your {subject}",
            ),
            styles=("high-converting", "automated", "personalised", "clean", "on-brand"),
            subjects=(
                "Shopify store",
                "online course",
                "SaaS product",
                "nonprofit",
                "coaching business",
                "newsletter",
                "subscription box",
                "event",
            ),
            pitch=(
                "Email is still the channel you own. I build {style} flows for your {subject}: "
                "welcome, abandoned cart and win-back, each one written, designed and tested in "
                "Klaviyo or Mailchimp."
            ),
            tiers=(
                "One automated flow with 3 emails",
                "Three flows, 9 emails and segmentation",
                "Full lifecycle set-up, 20 emails, templates, A/B tests and reporting",
            ),
            price=(60, 150),
            days=4,
            requests=("Email marketer for our {subject}", "Set up Klaviyo flows for our {subject}"),
            brief=(
                "We collect emails for our {subject} but do nothing with them. We need {style} "
                "automated flows and a monthly newsletter template."
            ),
            tags=(
                "email marketing",
                "klaviyo",
                "mailchimp",
                "newsletter",
                "automation",
                "copywriting",
            ),
        ),
        Niche(
            slug="paid-ads",
            name="Paid Advertising",
            titles=(
                "I will run {style} Google Ads campaigns for your {subject}",
                "I will set up and manage Facebook ads for your {subject}",
                "I will audit the ad account of your {subject}",
            ),
            styles=("profitable", "data-driven", "targeted", "scalable", "ROI-focused"),
            subjects=(
                "e-commerce brand",
                "local business",
                "SaaS startup",
                "mobile app",
                "online course",
                "real estate agency",
                "law firm",
                "clinic",
            ),
            pitch=(
                "Ad spend should come back with friends. I build {style} campaigns for your "
                "{subject} with proper conversion tracking first, so every decision after that is "
                "based on real numbers."
            ),
            tiers=(
                "Account audit with recommendations",
                "Campaign set-up, tracking, 3 ad sets and 2 weeks of optimisation",
                "A month of full management, creatives and weekly reports",
            ),
            price=(90, 220),
            days=5,
            requests=("PPC specialist for our {subject}", "Run Meta ads for a {subject}"),
            brief=(
                "We want to test paid ads for our {subject} with a modest budget. We need {style} "
                "campaign set-up, tracking and weekly reporting."
            ),
            tags=(
                "google ads",
                "facebook ads",
                "ppc",
                "paid social",
                "advertising",
                "conversion tracking",
            ),
        ),
    ),
)

VIDEO = Field(
    slug="video-animation",
    name="Video & Animation",
    skills=(
        "Premiere Pro",
        "After Effects",
        "DaVinci Resolve",
        "Motion Graphics",
        "Storyboarding",
        "Color Grading",
        "2D Animation",
    ),
    headlines=(
        "Video editor for YouTubers and brands",
        "Motion designer, After Effects and Lottie",
        "Animator who writes the script too",
    ),
    niches=(
        Niche(
            slug="video-editing",
            name="Video Editing",
            titles=(
                "I will edit {style} YouTube videos for your {subject}",
                "I will edit a {style} promo video for your {subject}",
                "I will turn the footage of your {subject} into {style} reels",
            ),
            styles=("engaging", "cinematic", "fast-paced", "professional", "story-driven"),
            subjects=(
                "channel",
                "wedding",
                "product launch",
                "travel vlog",
                "podcast",
                "real estate listing",
                "conference",
                "restaurant",
            ),
            pitch=(
                "I edit {style} videos that keep people watching: tight cuts, clean audio, colour "
                "that matches your brand and captions for the sound-off crowd. Send the raw "
                "footage of your {subject} and I take it from there."
            ),
            tiers=(
                "Edit of up to 5 minutes of final video",
                "Up to 12 minutes, colour grading, motion titles and captions",
                "Up to 25 minutes, sound design, thumbnails and 3 vertical cut-downs",
            ),
            price=(40, 120),
            days=3,
            requests=("Video editor for our {subject}", "Edit a highlight video of our {subject}"),
            brief=(
                "We have the raw footage of our {subject} and need a {style} edit with music, "
                "captions and a short teaser for social media."
            ),
            tags=(
                "video editing",
                "youtube",
                "premiere pro",
                "reels",
                "color grading",
                "final cut",
            ),
        ),
        Niche(
            slug="motion-graphics",
            name="Motion Graphics",
            titles=(
                "I will animate a {style} logo intro for your {subject}",
                "I will create {style} motion graphics for your {subject}",
                "I will design animated social ads for your {subject}",
            ),
            styles=("sleek", "dynamic", "2D", "playful", "corporate"),
            subjects=(
                "YouTube channel",
                "product launch",
                "app",
                "brand",
                "conference",
                "podcast",
                "startup pitch",
                "event",
            ),
            pitch=(
                "Motion turns a static brand into something people remember. I create {style} "
                "animations for your {subject} in After Effects, delivered in every format your "
                "channels need."
            ),
            tiers=(
                "5-second logo animation",
                "15-second animation with sound effects",
                "30-second animation, custom illustrations, music licence and all formats",
            ),
            price=(50, 130),
            days=4,
            requests=("Motion designer for our {subject}", "Animated intro for our {subject}"),
            brief=(
                "We need {style} motion graphics for our {subject}: a logo sting and a few "
                "animated lower thirds. The brand assets are ready."
            ),
            tags=(
                "motion graphics",
                "after effects",
                "logo animation",
                "animation",
                "intro",
                "2d animation",
            ),
        ),
        Niche(
            slug="explainer-videos",
            name="Explainer Videos",
            titles=(
                "I will create a {style} explainer video for your {subject}",
                "I will produce a whiteboard animation for your {subject}",
                "I will make a {style} product demo video for your {subject}",
            ),
            styles=("animated", "2D", "character-driven", "minimalist", "friendly"),
            subjects=(
                "SaaS product",
                "mobile app",
                "startup",
                "fintech service",
                "healthcare service",
                "online course",
                "nonprofit campaign",
                "B2B platform",
            ),
            pitch=(
                "Sixty seconds is enough to explain almost anything if the script is right. I "
                "write, voice and animate {style} explainers that make your {subject} obvious to a "
                "first-time visitor."
            ),
            tiers=(
                "30-second video with script and music",
                "60-second video with script, voice-over and custom illustrations",
                "90-second video in two languages, subtitles and cut-downs for ads",
            ),
            price=(150, 350),
            days=7,
            requests=(
                "Explainer video for our {subject}",
                "Need a short video explaining our {subject}",
            ),
            brief=(
                "Visitors do not understand our {subject} from the homepage. We want a 60-second, "
                "{style} explainer with a voice-over."
            ),
            tags=(
                "explainer video",
                "animation",
                "whiteboard",
                "product video",
                "video production",
                "storytelling",
            ),
        ),
    ),
)

MUSIC = Field(
    slug="music-audio",
    name="Music & Audio",
    skills=(
        "Mixing",
        "Mastering",
        "Pro Tools",
        "Ableton Live",
        "Voice Acting",
        "Podcast Editing",
        "Sound Design",
        "Composition",
    ),
    headlines=(
        "Mixing and mastering engineer, 12 years in the studio",
        "Podcast producer and editor",
        "Voice actor with a broadcast-quality home studio",
        "Composer for games and film",
    ),
    niches=(
        Niche(
            slug="mixing-mastering",
            name="Mixing & Mastering",
            titles=(
                "I will mix and master your {subject} to {style} standards",
                "I will master your {subject} for streaming",
                "I will mix your {subject} with a {style} sound",
            ),
            styles=("radio-ready", "warm", "punchy", "professional", "analog"),
            subjects=(
                "single",
                "EP",
                "hip-hop track",
                "rock song",
                "indie album",
                "EDM track",
                "acoustic demo",
                "podcast intro",
            ),
            pitch=(
                "Your song already has the feeling; the mix should make everyone hear it. I mix "
                "and master with a {style} touch, on calibrated monitors, with revisions until "
                "your {subject} sounds right in the car, on earbuds and in the club."
            ),
            tiers=(
                "Mastering of 1 track",
                "Mixing and mastering of 1 track, up to 24 stems",
                "Mixing and mastering of up to 4 tracks, with stems and instrumentals",
            ),
            price=(40, 110),
            days=3,
            requests=("Mixing engineer for our {subject}", "Master our {subject} for Spotify"),
            brief=(
                "We recorded a {subject} at home and need a {style} mix and master. The stems are "
                "ready, 16 to 30 tracks."
            ),
            tags=(
                "mixing",
                "mastering",
                "audio engineering",
                "music production",
                "stems",
                "spotify",
            ),
        ),
        Niche(
            slug="podcast-production",
            name="Podcast Editing",
            titles=(
                "I will edit and produce your {style} {subject} podcast",
                "I will clean up the audio of your {subject} podcast",
                "I will launch your {subject} podcast from scratch",
            ),
            styles=("polished", "conversational", "story-driven", "professional", "weekly"),
            subjects=(
                "business",
                "true crime",
                "comedy",
                "tech",
                "wellness",
                "history",
                "parenting",
                "sports",
            ),
            pitch=(
                "I turn raw recordings into {style} episodes: noise and filler words removed, "
                "levels matched, music and sponsor slots in place. Your {subject} podcast, "
                "sounding like you rented a studio."
            ),
            tiers=(
                "Edit of 1 episode up to 30 minutes",
                "Edit of 1 episode up to 60 minutes, with show notes",
                "4 episodes a month with show notes, audiograms and publishing",
            ),
            price=(30, 80),
            days=2,
            requests=(
                "Podcast editor for our {subject} show",
                "Producer for a new {subject} podcast",
            ),
            brief=(
                "We record a {subject} podcast remotely and the audio is uneven. We need a {style} "
                "edit every week, with intro music and show notes."
            ),
            tags=(
                "podcast editing",
                "audio editing",
                "podcast production",
                "show notes",
                "noise reduction",
                "audacity",
            ),
        ),
        Niche(
            slug="voice-over",
            name="Voice Over",
            titles=(
                "I will record a {style} voice over for your {subject}",
                "I will voice your {subject} in a {style} tone",
                "I will narrate your {subject}",
            ),
            styles=("warm", "friendly", "authoritative", "energetic", "calm"),
            subjects=(
                "explainer video",
                "audiobook",
                "e-learning course",
                "radio ad",
                "YouTube video",
                "phone system",
                "documentary",
                "video game",
            ),
            pitch=(
                "A broadcast-quality, {style} voice for your {subject}, recorded in a treated home "
                "studio and delivered edited, with breaths and clicks removed. Same-day turnaround "
                "on short scripts."
            ),
            tiers=(
                "Up to 150 words",
                "Up to 500 words, two takes and background music",
                "Up to 1,500 words, full broadcast rights, synced to your video",
            ),
            price=(30, 90),
            days=2,
            requests=("Voice actor for our {subject}", "Need a {style} voice over for a {subject}"),
            brief=(
                "We need a {style} voice for our {subject}, about 400 words. The script is final; "
                "please include a short sample read in your application."
            ),
            tags=(
                "voice over",
                "voice actor",
                "narration",
                "audiobook",
                "commercial",
                "e-learning",
            ),
        ),
        Niche(
            slug="music-composition",
            name="Music Composition",
            titles=(
                "I will compose {style} music for your {subject}",
                "I will write an original jingle for your {subject}",
                "I will compose a {style} soundtrack for your {subject}",
            ),
            styles=("cinematic", "upbeat", "ambient", "orchestral", "lo-fi"),
            subjects=(
                "video game",
                "short film",
                "podcast",
                "brand",
                "YouTube channel",
                "app",
                "documentary",
                "commercial",
            ),
            pitch=(
                "Original, {style} music composed for your {subject} and nothing else. You get a "
                "full commercial licence, stems for your editor and a composer who listens to your "
                "references."
            ),
            tiers=(
                "30 seconds of original music",
                "Up to 2 minutes, stems and one alternate version",
                "Up to 5 minutes, stems, live instruments and exclusive rights",
            ),
            price=(80, 200),
            days=5,
            requests=("Composer for our {subject}", "Original music for a {subject}"),
            brief=(
                "We need original, {style} music for our {subject}: about two minutes, with loops "
                "we can reuse. Please share relevant pieces."
            ),
            tags=(
                "music composition",
                "soundtrack",
                "jingle",
                "film score",
                "game music",
                "original music",
            ),
        ),
    ),
)

BUSINESS = Field(
    slug="business",
    name="Business",
    skills=(
        "Business Planning",
        "Financial Modeling",
        "Excel",
        "Market Research",
        "Project Management",
        "Pitch Decks",
        "Customer Service",
    ),
    headlines=(
        "Startup consultant and former VC analyst",
        "Virtual assistant for busy founders",
        "Financial modeler, ex-Big Four",
        "Market researcher who talks to your customers",
    ),
    niches=(
        Niche(
            slug="business-plans",
            name="Business Plans",
            titles=(
                "I will write an investor-ready business plan for your {subject}",
                "I will create a {style} pitch deck for your {subject}",
                "I will write a {style} go-to-market plan for your {subject}",
            ),
            styles=("compelling", "investor-grade", "concise", "data-backed", "lean"),
            subjects=(
                "startup",
                "restaurant",
                "e-commerce brand",
                "clinic",
                "fintech venture",
                "coffee shop",
                "fitness studio",
                "SaaS company",
            ),
            pitch=(
                "Investors and banks read hundreds of plans; yours should answer their questions "
                "before they ask. I write {style} business plans and decks for your {subject}, "
                "with financials that add up."
            ),
            tiers=(
                "One-page plan and lean canvas",
                "Full business plan of up to 20 pages with 3-year financials",
                "Business plan, investor deck, financial model and a review call",
            ),
            price=(120, 300),
            days=6,
            requests=("Business plan for a {subject}", "Pitch deck writer for our {subject}"),
            brief=(
                "We are raising money for our {subject} and need a {style} business plan and a "
                "12-slide deck. We have the numbers; we need the story."
            ),
            tags=(
                "business plan",
                "pitch deck",
                "startup",
                "investor",
                "strategy",
                "financial projections",
            ),
        ),
        Niche(
            slug="virtual-assistance",
            name="Virtual Assistance",
            titles=(
                "I will be the {style} virtual assistant for your {subject}",
                "I will manage email and calendar for your {subject}",
                "I will do {style} data entry for your {subject}",
            ),
            styles=("reliable", "organised", "detail-oriented", "proactive", "fast"),
            subjects=(
                "small business",
                "real estate office",
                "coaching practice",
                "online store",
                "agency",
                "law practice",
                "medical practice",
                "startup",
            ),
            pitch=(
                "Get your hours back. I am a {style} virtual assistant with six years of "
                "experience supporting every kind of {subject}: inboxes, calendars, travel, "
                "research and the spreadsheets nobody else wants."
            ),
            tiers=(
                "5 hours of assistance",
                "15 hours, with a weekly summary",
                "40 hours over a month, available during your business hours",
            ),
            price=(40, 90),
            days=3,
            requests=(
                "Virtual assistant for our {subject}",
                "Part-time admin support for a {subject}",
            ),
            brief=(
                "Our {subject} is drowning in admin. We need a {style} assistant for about 10 "
                "hours a week: inbox, calendar and CRM updates."
            ),
            tags=(
                "virtual assistant",
                "data entry",
                "admin support",
                "email management",
                "research",
                "calendar",
            ),
        ),
        Niche(
            slug="financial-modeling",
            name="Financial Modeling",
            titles=(
                "I will build a {style} financial model for your {subject}",
                "I will create a cash-flow forecast for your {subject}",
                "I will do a {style} valuation of your {subject}",
            ),
            styles=("robust", "investor-ready", "three-statement", "scenario-based", "clear"),
            subjects=(
                "startup",
                "SaaS company",
                "real estate project",
                "restaurant group",
                "e-commerce business",
                "clinic",
                "manufacturing business",
                "franchise",
            ),
            pitch=(
                'A model should let you ask "what if" and get a straight answer. I build {style} '
                "models in Excel or Google Sheets for your {subject}, fully linked, documented and "
                "easy to update."
            ),
            tiers=(
                "12-month cash-flow forecast",
                "3-year three-statement model with scenarios",
                "5-year model, valuation, cap table and an investor dashboard",
            ),
            price=(100, 260),
            days=5,
            requests=("Financial model for our {subject}", "Help with the forecast of a {subject}"),
            brief=(
                "We need a {style} financial model for our {subject} before talking to investors: "
                "revenue drivers, hiring plan and cash runway."
            ),
            tags=("financial modeling", "excel", "forecasting", "valuation", "cash flow", "fp&a"),
        ),
        Niche(
            slug="market-research",
            name="Market Research",
            titles=(
                "I will do {style} market research for your {subject}",
                "I will analyse the competitors of your {subject}",
                "I will run customer interviews for your {subject}",
            ),
            styles=("in-depth", "actionable", "data-driven", "qualitative", "quick"),
            subjects=(
                "product idea",
                "startup",
                "export business",
                "mobile app",
                "consumer brand",
                "B2B service",
                "franchise",
                "online course",
            ),
            pitch=(
                "Before you spend on building, spend a little on knowing. I deliver {style} "
                "research for your {subject}: market size, competitors, pricing and what customers "
                "say in their own words."
            ),
            tiers=(
                "Competitor overview of 5 players",
                "Market sizing, 10 competitors and a pricing analysis",
                "Full report, 8 customer interviews and positioning recommendations",
            ),
            price=(80, 200),
            days=5,
            requests=("Market research for our {subject}", "Competitor analysis for a {subject}"),
            brief=(
                "We are validating a {subject} and need {style} research: who the competitors are, "
                "what they charge and what customers complain about."
            ),
            tags=(
                "market research",
                "competitor analysis",
                "customer interviews",
                "market sizing",
                "survey",
                "strategy",
            ),
        ),
    ),
)

DATA = Field(
    slug="data-ai",
    name="Data & AI",
    skills=(
        "Python",
        "SQL",
        "Pandas",
        "Machine Learning",
        "PyTorch",
        "Power BI",
        "Tableau",
        "LLM Integration",
    ),
    headlines=(
        "Data scientist turning spreadsheets into decisions",
        "Machine learning engineer, from notebook to production",
        "Power BI and Tableau dashboard developer",
        "AI automation builder: chatbots, agents and integrations",
    ),
    niches=(
        Niche(
            slug="data-analysis",
            name="Data Analysis",
            titles=(
                "I will do {style} data analysis for your {subject}",
                "I will clean and analyse the data of your {subject} in Python",
                "I will build SQL reports for your {subject}",
            ),
            styles=("statistical", "insightful", "thorough", "clear", "fast"),
            subjects=(
                "online store",
                "SaaS product",
                "marketing team",
                "research project",
                "clinic",
                "logistics company",
                "nonprofit",
                "restaurant chain",
            ),
            pitch=(
                "Your data already knows where the money is. I do {style} analysis for your "
                "{subject} in Python and SQL, and explain the results in plain language with "
                "charts you can drop into a slide."
            ),
            tiers=(
                "Analysis of one dataset with a short summary",
                "Cleaning, analysis and a report with 10 charts",
                "Full analysis, statistical tests, a reusable notebook and a walkthrough call",
            ),
            price=(60, 160),
            days=4,
            requests=(
                "Data analyst for our {subject}",
                "Make sense of the sales data of our {subject}",
            ),
            brief=(
                "We have two years of data from our {subject} in spreadsheets and a Postgres "
                "database. We need {style} analysis of what drives revenue and churn."
            ),
            tags=("data analysis", "python", "pandas", "sql", "excel", "statistics"),
        ),
        Niche(
            slug="machine-learning",
            name="Machine Learning",
            titles=(
                "I will build a {style} machine learning model for your {subject}",
                "I will create a demand forecasting model for your {subject}",
                "I will fine-tune a computer vision model for your {subject}",
            ),
            styles=("production-ready", "explainable", "accurate", "scalable", "custom"),
            subjects=(
                "e-commerce store",
                "SaaS product",
                "fintech app",
                "logistics company",
                "retail chain",
                "health startup",
                "marketplace",
                "factory",
            ),
            pitch=(
                "Machine learning is worth it when it changes a decision. I build {style} models "
                "for your {subject}, from data preparation to a deployed API, with honest metrics "
                "and a plan for monitoring."
            ),
            tiers=(
                "Feasibility study and a baseline model",
                "Trained model with an evaluation report and notebook",
                "Model, REST API, Docker deployment and a monitoring dashboard",
            ),
            price=(200, 500),
            days=7,
            requests=(
                "ML engineer for our {subject}",
                "Build a recommendation system for our {subject}",
            ),
            brief=(
                "We want to predict churn for our {subject}. We have labelled data and need a "
                "{style} model and an API our backend can call."
            ),
            tags=(
                "machine learning",
                "python",
                "scikit-learn",
                "pytorch",
                "forecasting",
                "computer vision",
            ),
        ),
        Niche(
            slug="data-visualization",
            name="Data Visualization",
            titles=(
                "I will build a {style} Power BI dashboard for your {subject}",
                "I will create a Tableau dashboard for your {subject}",
                "I will design {style} charts and infographics for your {subject}",
            ),
            styles=("interactive", "executive", "clean", "real-time", "insightful"),
            subjects=(
                "sales team",
                "marketing agency",
                "finance department",
                "e-commerce store",
                "HR team",
                "nonprofit",
                "logistics company",
                "SaaS product",
            ),
            pitch=(
                "A dashboard is good when people open it without being reminded. I design {style} "
                "dashboards for your {subject}, connected to your live data, with the three "
                "numbers that matter at the top."
            ),
            tiers=(
                "One dashboard page with up to 5 visuals",
                "Three pages, a data model and scheduled refresh",
                "A full reporting suite, row-level security and a training session",
            ),
            price=(80, 200),
            days=4,
            requests=(
                "Power BI developer for our {subject}",
                "Dashboard for the KPIs of our {subject}",
            ),
            brief=(
                "Our {subject} reports in spreadsheets emailed every Monday. We want a dashboard "
                "that is {style} and connected to our database."
            ),
            tags=(
                "data visualization",
                "power bi",
                "tableau",
                "dashboard",
                "infographics",
                "reporting",
            ),
        ),
        Niche(
            slug="ai-chatbots",
            name="AI Chatbots & Automation",
            titles=(
                "I will build a {style} AI chatbot for your {subject}",
                "I will automate the workflows of your {subject} with AI",
                "I will connect the tools of your {subject} with AI automations",
            ),
            styles=("GPT-powered", "multilingual", "helpful", "secure", "custom"),
            subjects=(
                "customer support team",
                "online store",
                "SaaS product",
                "clinic",
                "real estate agency",
                "law firm",
                "school",
                "hotel",
            ),
            pitch=(
                "A good assistant answers the easy questions and hands over the hard ones. I build "
                "{style} chatbots and automations for your {subject}, grounded in your own "
                "documents and connected to the tools you already use."
            ),
            tiers=(
                "FAQ chatbot trained on up to 20 pages",
                "Chatbot with document search, handover to a human and a website widget",
                "Multichannel assistant, CRM integration, analytics and monthly tuning",
            ),
            price=(150, 400),
            days=6,
            requests=(
                "AI chatbot for our {subject}",
                "Automate the support of our {subject} with AI",
            ),
            brief=(
                "We answer the same questions all day at our {subject}. We want a {style} "
                "assistant on our website that uses our help articles and hands over to a person."
            ),
            tags=("ai chatbot", "gpt", "automation", "llm", "zapier", "customer support"),
        ),
    ),
)

FIELDS = (DESIGN, DEVELOPMENT, WRITING, MARKETING, VIDEO, MUSIC, BUSINESS, DATA)

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Amara",
    "Noah",
    "Sofia",
    "Mateo",
    "Priya",
    "Ethan",
    "Yuki",
    "Lucas",
    "Chloé",
    "Omar",
    "Hannah",
    "Kwame",
    "Isabella",
    "Arjun",
    "Mia",
    "Tomás",
    "Zara",
    "Daniel",
    "Leila",
    "Jonas",
    "Aisha",
    "Felix",
    "Nora",
    "Ravi",
    "Elena",
    "Samuel",
    "Ingrid",
    "Diego",
    "Fatima",
    "Oscar",
    "Grace",
    "Hiroshi",
    "Lena",
    "Marco",
    "Ana",
    "Kofi",
    "Julia",
    "Ben",
    "Maya",
    "Viktor",
    "Chen",
    "Rosa",
    "Emeka",
    "Clara",
    "Ali",
    "Sara",
    "Jakub",
    "Lucía",
)
LAST_NAMES = (
    "Bennett",
    "Alvarez",
    "Okafor",
    "Patel",
    "Nakamura",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Johansson",
    "Mensah",
    "Fernández",
    "Chen",
    "Novak",
    "Costa",
    "Murphy",
    "Ibrahim",
    "Larsen",
    "Silva",
    "Kim",
    "Moreau",
    "Walker",
    "Gupta",
    "Müller",
    "Santos",
    "Nguyen",
    "Hughes",
    "Popescu",
    "Tanaka",
    "Rahman",
    "Weber",
    "Lopez",
    "Adeyemi",
    "Byrne",
    "Petrov",
    "Ward",
    "Yilmaz",
    "Fischer",
    "Reyes",
)
LOCATIONS = (
    "Lisbon, Portugal",
    "Austin, USA",
    "Berlin, Germany",
    "Lagos, Nigeria",
    "Toronto, Canada",
    "Bangalore, India",
    "Buenos Aires, Argentina",
    "Melbourne, Australia",
    "Kraków, Poland",
    "Nairobi, Kenya",
    "Mexico City, Mexico",
    "Manchester, UK",
    "Osaka, Japan",
    "Barcelona, Spain",
    "Cape Town, South Africa",
    "Montréal, Canada",
    "Seoul, South Korea",
    "Amsterdam, Netherlands",
    "Bogotá, Colombia",
    "Dublin, Ireland",
    "São Paulo, Brazil",
    "Stockholm, Sweden",
    "Chicago, USA",
    "Accra, Ghana",
    "Istanbul, Turkey",
    "Ho Chi Minh City, Vietnam",
)
COMPANIES = (
    "Bluebird Coffee Roasters",
    "Northwind Analytics",
    "Little Fern Studio",
    "Harbor & Pine",
    "Brightpath Learning",
    "Copperleaf Skincare",
    "Atlas Logistics",
    "Sunday Bakehouse",
    "Nimbus Health",
    "Tidewater Realty",
    "Oakline Legal",
    "Kindred Pet Co.",
    "Fieldnote Books",
    "Velo Fitness",
    "Lumen Labs",
    "Saltwater Supply",
)
CLIENT_ROLES = (
    "Founder",
    "Co-founder",
    "Marketing lead",
    "Operations manager",
    "Product owner",
    "Owner",
)
CLIENT_BIOS = (
    "We are a small team that prefers to hire specialists for well-defined projects. I write "
    "clear briefs, answer quickly and pay on time.",
    "I run {company} and outsource design, content and the occasional bit of code. Long-term "
    "collaborations welcome.",
    "Building {company} one experiment at a time. I like freelancers who ask questions before "
    "they start.",
    "Based in {city}. We hire for a few projects every quarter and keep the good people on speed "
    "dial.",
)
FREELANCER_BIOS = (
    "I have spent {years} years in {field}, first at agencies in {city}, now independently. "
    "Clients hire me for clear communication and work that ships on time.",
    "Hi, I'm {first}. {years} years of {field} for startups and small businesses taught me to "
    "ask the right questions first and to deliver exactly what was agreed.",
    "{field} is my craft: {years} years, more than a hundred projects and a handful of awards. "
    "Based in {city}, working with clients in every time zone.",
    "Former in-house lead, freelancing full-time for {years} years. I keep projects small, "
    "focused and documented, so you always know where things stand.",
)
BIO_CLOSERS = (
    "Message me before ordering if you are unsure which package fits; I reply within a few hours.",
    "I work in short iterations and share progress every other day.",
    "Every project includes a handover call and all source files.",
    "Available for long-term collaboration as well as one-off projects.",
)

PROCESS = (
    "How it works: you send a short brief, I ask a few questions, and you get a first version "
    "early so we can adjust course before the details.",
    "I start every order with a 15-minute kick-off call or a written questionnaire, whichever "
    "suits you, so nothing gets lost between what you imagine and what I make.",
    "You will see progress along the way, not only at the end, and every revision round comes "
    "with a short note on what changed and why.",
    "I have delivered more than 200 projects like this one; the process is tested, the files are "
    "organised and the deadline is a promise.",
)
CLOSINGS = (
    "Not sure which package you need? Send me a message and I will recommend one honestly.",
    "Please message me before ordering if your project is unusual; custom offers are welcome.",
    "Fast replies, clear communication and no surprises. Looking forward to your project!",
    "Commercial use is included in every package.",
)
REQUEST_EXTRAS = (
    "Please tell us how you would approach it and share two or three similar projects.",
    "We prefer someone who can start this week and share progress regularly.",
    "Applications with a short plan and a realistic timeline will be read first.",
    "Budget is flexible for the right person; quality matters more than speed.",
)
COVER_LETTERS = (
    "Hi! I have done several projects like this one and would love to help. I can deliver in "
    "{days} days, with a first draft halfway through so you can steer. Portfolio in my profile.",
    "Hello, this is right in my wheelhouse. My plan: a short call to agree on the goals, a first "
    "version in a few days, then two rounds of polish. {days} days in total.",
    "I read your brief twice; the part about {topic} is where most people go wrong, and where I "
    "can add the most. Happy to start right away, {days} days end to end.",
    "Hi there, I have {years} years of experience in exactly this. Fixed price as quoted, "
    "delivery in {days} days, and all source files included.",
)

REQUIREMENTS = (
    "Hi! Everything we have is in the shared folder: brand colours, references and our current "
    "materials. Our audience is mostly 25 to 40, and we want the result to feel confident but "
    "friendly.",
    "We need this for a launch at the end of the month. Please keep it simple and easy to update "
    "later. Three competitors we like are listed in the brief.",
    "Attached is our one-page brief. The most important thing for us is clarity; second is that "
    "it feels like us and not like a template.",
    "We are a team of four and this is our first project with a freelancer, so please tell us "
    "anything else you need from us.",
    "Please follow the brand guide we sent. The deadline is firm because of a trade show.",
    "Main goal: more sign-ups from the homepage. We can share analytics access if useful.",
)
DELIVERIES = (
    "Here is the first version, with everything from the package. I left notes in the file on "
    "the choices I made; happy to adjust anything.",
    "Delivered! You will find the final files in the attachment and a short summary of what was "
    "done. Let me know what you think.",
    "All done. I included two alternatives for the part we discussed, so you can pick the one "
    "you like best.",
    "Here you go: final files, sources and a quick guide on how to use them. It was a pleasure "
    "working on this.",
)
REDELIVERIES = (
    "Updated version attached, with all the changes from your list. The second option for the "
    "headline is in there too.",
    "Revision done: colours adjusted, the wording fixed and the export sizes you asked for added.",
)
REVISION_REASONS = (
    "Looks great overall! Could you make the colours a bit warmer and try a bolder headline?",
    "Close, but the second section does not match our brief; please follow the outline we sent.",
    "We need the files in two more sizes and a version without the tagline.",
    "Can we try one alternative with more white space? The current one feels crowded.",
)
CANCEL_REASONS = (
    "Found an in-house solution, sorry for the trouble.",
    "Our budget for this quarter was cut; we will come back later.",
    "Ordered the wrong package by mistake.",
)
WITHDRAW_REASONS = (
    "Family emergency; I cannot deliver on time and prefer to refund you in full.",
    "After reading the requirements, this needs a specialist in another field. Full refund issued.",
)
LATE_REASONS = (
    "The order is past its due date and we have not heard back.",
    "We needed this for an event that has now passed.",
)
DISPUTE_REASONS = (
    "The delivery does not match the package description: two of the promised items are missing.",
    "No progress or reply for over a week, even though the order is funded.",
    "The delivered work is copied from a template site; we asked for an original design.",
    "The seller asks for more money than the package price to finish the work.",
)
DISPUTE_EVIDENCE = (
    "Screenshots of the package description and of the delivery are attached to the order chat.",
    "See the conversation: our last three messages have no answer.",
)
RESOLUTION_NOTES = {
    "REFUND": "The delivery does not meet the package description; the buyer is refunded in full.",
    "RELEASE": "The delivery matches what was ordered; the payment is released to the seller.",
}

BUYER_REVIEWS = {
    5: (
        "Absolutely fantastic work. Understood the brief immediately and delivered ahead of time.",
        "Second time working together and it was just as smooth. Highly recommended!",
        "Great communication, thoughtful questions and a result that exceeded our expectations.",
        "Professional, fast and genuinely creative. We will be back for the next project.",
        "Exactly what we needed. The files were well organised and the handover was clear.",
        "Went above and beyond: suggested improvements we had not thought of.",
    ),
    4: (
        "Very good result. A couple of small back-and-forths, but everything was sorted quickly.",
        "Solid work and easy to work with. Delivery was a day late, otherwise perfect.",
        "Good quality and friendly communication. Would hire again.",
    ),
    3: (
        "Decent result in the end, but it took a revision to get there.",
        "The work is fine; communication could have been faster.",
    ),
    2: ("Did not quite match the brief, and it took several reminders to get the revision.",),
    1: ("Disappointing. The delivery felt rushed and generic.",),
}
# How many reviews give 5, 4, 3, 2 and 1 stars: buyers of anyone, buyers of the demo freelancer
# (a top-rated seller), sellers of their buyers.
BUYER_RATINGS = (60, 28, 8, 3, 1)
STAR_RATINGS = (19, 1, 0, 0, 0)
SELLER_RATINGS = (80, 20, 0, 0, 0)
SELLER_REVIEWS = (
    "A pleasure to work with: clear brief, quick answers and fast approval.",
    "Great client! Knew exactly what they wanted and gave useful feedback.",
    "Smooth project from start to finish. Happy to work together again.",
    "Responsive and respectful of the process. Recommended.",
    "Clear requirements and prompt payment. Thank you!",
)
REPLIES = (
    "Thank you so much, it was a pleasure working on this!",
    "Thanks for the kind words, looking forward to the next one.",
    "Thank you for the honest feedback; I have improved my process for revisions since.",
)
HIDDEN_REVIEW = (
    "Great job. Next time let's skip the platform fees, just message me on WhatsApp.",
    "Shares contact details to take business off the platform.",
)

BUYER_OPENERS = (
    "Hi! Just placed the order. Really excited about this one.",
    "Hello, order placed. Let me know if anything in the requirements is unclear.",
    "Hi, looking forward to working with you. Our brief is in the requirements.",
)
SELLER_ACKS = (
    "Thanks for the order! I have everything I need and I am starting today.",
    "Got it, thank you. I will share a first draft in a couple of days.",
    "Thanks! Quick question before I start: do you have a preferred colour or tone?",
)
SELLER_UPDATES = (
    "Quick update: the first draft is coming together nicely, you should have it soon.",
    "Halfway there. Everything is on track for the due date.",
)
# The buyer's answer to a delivery, by what the buyer does next.
BUYER_AFTER_DELIVERY = {
    "REVISION_REQUESTED": (
        "Got it, thanks. A few notes coming in a moment.",
        "Thanks! Close, but we need some changes; details follow.",
    ),
    "COMPLETED": (
        "Thank you, this looks great! Approving now.",
        "Wow, fast! Checked everything with the team, all good.",
    ),
    "DISPUTED": ("This is not what we agreed on. I have asked support to step in.",),
}
SELLER_THANKS = (
    "Thanks for approving! It was a pleasure, good luck with the launch.",
    "Thank you! Feel free to reach out any time for the next project.",
)
INQUIRIES = (
    (
        "Hi {seller}! Before ordering: could you do this for a {subject} with a tight deadline?",
        "Hi {buyer}, yes, I can. The Standard package fits best; I can deliver in {days} days.",
        "Perfect. And are source files included?",
        "Yes, all source files are included from the Standard package up.",
    ),
    (
        "Hello, do you offer a discount for three similar projects?",
        "Hi {buyer}! For three orders I can do 10% off. Shall I send a custom offer?",
        "That would be great, thanks.",
    ),
    (
        "Hi, is the Basic package enough for a small project like ours?",
        "It depends on the scope: can you tell me a bit more about what you need?",
        "Sure, it's for a {subject}, nothing fancy, we just need something clean and quick.",
        "Then Basic is enough. Happy to help!",
        "Great, ordering later this week.",
    ),
    (
        "Hi {seller}, I love your portfolio. Are you available next month?",
        "Thank you! Yes, I have availability from the second week.",
    ),
)

# Orders per unit of `scale`, by the status they end in.
ORDER_MIX = {
    "PENDING_PAYMENT": 5,
    "IN_PROGRESS": 7,
    "DELIVERED": 5,
    "REVISION_REQUESTED": 4,
    "COMPLETED": 26,
    "CANCELLED": 4,
    "REFUNDED": 4,
    "DISPUTED": 4,
}
# The paths an order takes to its status; used in turn, so that every path is represented.
STORIES = {
    "PENDING_PAYMENT": ((),),
    "IN_PROGRESS": (("fund",),),
    "DELIVERED": (("fund", "deliver"), ("fund", "deliver", "revise", "deliver")),
    "REVISION_REQUESTED": (("fund", "deliver", "revise"),),
    "COMPLETED": (
        ("fund", "deliver", "approve"),
        ("fund", "deliver", "revise", "deliver", "approve"),
        ("fund", "deliver", "auto"),
        ("fund", "deliver", "dispute", "release"),
    ),
    "CANCELLED": (("cancel",), ("expire",)),
    "REFUNDED": (
        ("fund", "deliver", "dispute", "refund"),
        ("fund", "withdraw"),
        ("fund", "late"),
        ("fund", "dispute", "refund"),
    ),
    "DISPUTED": (
        ("fund", "dispute"),
        ("fund", "deliver", "dispute"),
        ("fund", "deliver", "revise", "dispute"),
    ),
}
# The demo freelancer's earlier completed orders (besides those in ORDER_MIX): enough prompt,
# well-reviewed work for the TOP_RATED and ON_TIME badges (10 reviews, 10 orders at least).
TRACK_RECORD = (
    *(("fund", "deliver", "approve"),) * 10,
    *(("fund", "deliver", "auto"),) * 3,
    ("fund", "deliver", "revise", "deliver", "approve"),
)
# step -> (the status it leads to, who takes it, days since the previous step).
# A first delivery takes a share of the delivery time, and "late" waits past the due date.
STEPS = {
    "fund": ("IN_PROGRESS", None, (0.01, 0.4)),
    "deliver": ("DELIVERED", "seller", (0.5, 2.0)),
    "revise": ("REVISION_REQUESTED", "buyer", (0.2, 2.0)),
    "approve": ("COMPLETED", "buyer", (0.1, 2.5)),
    "auto": ("COMPLETED", None, (3.0, 3.0)),
    "dispute": ("DISPUTED", "buyer", (0.3, 2.0)),
    "release": ("COMPLETED", "admin", (1.0, 4.0)),
    "refund": ("REFUNDED", "admin", (1.0, 4.0)),
    "cancel": ("CANCELLED", "buyer", (0.02, 0.8)),
    "expire": ("CANCELLED", None, (1.0, 1.0)),
    "withdraw": ("REFUNDED", "seller", (0.5, 3.0)),
    "late": ("REFUNDED", "buyer", (0.5, 3.0)),
}
STEP_REASONS = {
    "revise": REVISION_REASONS,
    "auto": ("No answer within the review window.",),
    "dispute": DISPUTE_REASONS,
    "release": (RESOLUTION_NOTES["RELEASE"],),
    "refund": (RESOLUTION_NOTES["REFUND"],),
    "cancel": CANCEL_REASONS,
    "expire": ("Not paid within 24 hours.",),
    "withdraw": WITHDRAW_REASONS,
    "late": LATE_REASONS,
}
# How long ago (in days) an order that is still moving took its last step.
SLACK = {
    "PENDING_PAYMENT": (0.02, 0.8),
    "IN_PROGRESS": (0.05, 5.0),
    "DELIVERED": (0.05, 2.5),
    "REVISION_REQUESTED": (0.05, 2.0),
    "DISPUTED": (0.2, 5.0),
}
